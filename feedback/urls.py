from django.urls import path

from . import views

app_name = "feedback"

urlpatterns = [
    path("", views.feedback_home, name="home"),
    path("new/", views.feedback_general_new, name="new"),
    path("sessions/<slug:slug>/", views.feedback_session_new, name="session_new"),
    path("all/", views.feedback_all, name="all"),
    path("quotes/", views.quote_queue, name="quote_queue"),
    path("quotes/<int:pk>/", views.quote_review, name="quote_review"),
    path("<int:pk>/", views.feedback_detail, name="detail"),
    path("<int:pk>/edit/", views.feedback_edit, name="edit"),
    path("<int:pk>/withdraw-quote/", views.feedback_withdraw_quote, name="withdraw_quote"),
    path("<int:pk>/delete/", views.feedback_delete, name="delete"),
    # Questions of a session's own (issue 17, item 4), for organisers.
    path(
        "organise/sessions/<int:pk>/questions/",
        views.session_questions,
        name="session_questions",
    ),
    path(
        "organise/sessions/<int:pk>/questions/<int:question_pk>/edit/",
        views.session_question_edit,
        name="session_question_edit",
    ),
    path(
        "organise/sessions/<int:pk>/questions/<int:question_pk>/delete/",
        views.session_question_delete,
        name="session_question_delete",
    ),
    path(
        "organise/sessions/<int:pk>/questions/<int:question_pk>/move/",
        views.session_question_move,
        name="session_question_move",
    ),
]
