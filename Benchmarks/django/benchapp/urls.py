import os

from django.urls import path

from .views import SearchView, search_page, search_page_fetched

# With BENCH_API_URL set, the page fetches its data from that API process (Benchmarks/ssr-fetch.sh).
page = search_page_fetched if os.environ.get("BENCH_API_URL") else search_page
urlpatterns = [path("api/search/", SearchView.as_view()), path("search/", page)]
