from django.urls import path

from . import open_data_views

app_name = "opendata"

urlpatterns = [
    path("", open_data_views.index, name="index"),
    path("afa-open-data.zip", open_data_views.archive, name="archive"),
]
