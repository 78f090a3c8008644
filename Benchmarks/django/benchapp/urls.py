from django.urls import path

from .views import SearchView

urlpatterns = [path("api/search/", SearchView.as_view())]
