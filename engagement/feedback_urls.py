"""Mounted at /feedback/ by engagement.urls (names live in the "engagement" namespace)."""

from django.urls import path

from . import feedback_views as views

urlpatterns = [
    path("", views.feedback_home, name="feedback_home"),
    path("new/", views.feedback_general_new, name="feedback_new"),
    path("sessions/<slug:slug>/", views.feedback_session_new, name="feedback_session_new"),
    path("all/", views.feedback_all, name="feedback_all"),
    path("quotes/", views.quote_queue, name="quote_queue"),
    path("quotes/<int:pk>/", views.quote_review, name="quote_review"),
    path("<int:pk>/", views.feedback_detail, name="feedback_detail"),
    path("<int:pk>/edit/", views.feedback_edit, name="feedback_edit"),
    path("<int:pk>/withdraw-quote/", views.feedback_withdraw_quote, name="feedback_withdraw_quote"),
    path("<int:pk>/delete/", views.feedback_delete, name="feedback_delete"),
]
