from django.urls import path

from .views import SearchView, search_page

urlpatterns = [path("api/search/", SearchView.as_view()), path("search/", search_page)]
