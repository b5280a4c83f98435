from django.urls import path

from . import views

app_name = "process"

urlpatterns = [
    path("", views.timeline, name="timeline"),
    path("manage/", views.manage, name="manage"),
    path("manage/new/", views.phase_create, name="phase_create"),
    path("manage/<int:pk>/edit/", views.phase_edit, name="phase_edit"),
    path("manage/<int:pk>/delete/", views.phase_delete, name="phase_delete"),
]
