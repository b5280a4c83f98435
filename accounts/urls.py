from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.profile, name="profile"),
    path("stay-signed-in/", views.stay_signed_in, name="stay_signed_in"),
    path("my-data/", views.personal_data, name="personal_data"),
    path("my-data/<int:pk>/download", views.personal_data_download, name="personal_data_download"),
    path("delete/", views.account_delete, name="delete"),
    path("notice/accept/", views.notice_accept, name="notice_accept"),
    path("restricted/", views.restricted, name="restricted"),
    path("moderation-emails/", views.moderation_alerts, name="moderation_alerts"),
]
