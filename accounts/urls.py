from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.profile, name="profile"),
    path("stay-signed-in/", views.stay_signed_in, name="stay_signed_in"),
    path("delete/", views.account_delete, name="delete"),
    path("notice/accept/", views.notice_accept, name="notice_accept"),
]
