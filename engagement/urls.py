from django.urls import path

from . import views

app_name = "engagement"

urlpatterns = [
    path("sessions/", views.session_list, name="session_list"),
    path("sessions/mine/", views.my_sessions, name="my_sessions"),
    path("sessions/mine/<int:pk>/cancel/", views.registration_cancel, name="registration_cancel"),
    # --- Cancel links and calendar feeds (issue 16, items 3 and 5) ---
    path(
        "sessions/cancel/<str:token>/",
        views.registration_cancel_link,
        name="registration_cancel_link",
    ),
    path("sessions/calendar.ics", views.calendar_public, name="calendar_public"),
    path("sessions/calendar/<slug:secret>.ics", views.calendar_personal, name="calendar_personal"),
    path("sessions/mine/calendar/", views.calendar_feed_reset, name="calendar_feed_reset"),
    # A link with no words from the title, for calendar files (a slug may name a harm).
    path("sessions/s/<int:pk>/", views.session_short_link, name="session_short_link"),
    path("sessions/<slug:slug>/", views.session_detail, name="session_detail"),
    path("sessions/<slug:slug>/register/", views.session_register, name="session_register"),
    path(
        "sessions/<slug:slug>/calendar.ics",
        views.session_calendar_download,
        name="session_calendar",
    ),
    path("organise/", views.console, name="console"),
    path("organise/sessions/new/", views.session_create, name="console_session_create"),
    path("organise/sessions/<int:pk>/edit/", views.session_edit, name="console_session_edit"),
    path(
        "organise/sessions/<int:pk>/publish/",
        views.session_publish,
        name="console_session_publish",
    ),
    path("organise/sessions/<int:pk>/cancel/", views.session_cancel, name="console_session_cancel"),
    path("organise/sessions/<int:pk>/", views.session_roster, name="console_roster"),
    path(
        "organise/sessions/<int:pk>/roster.csv",
        views.session_roster_csv,
        name="console_roster_csv",
    ),
    path(
        "organise/sessions/<int:pk>/attendance/all/",
        views.session_mark_all_attended,
        name="console_attendance_all",
    ),
    path(
        "organise/registrations/<int:pk>/attendance/",
        views.registration_attendance,
        name="console_attendance",
    ),
    path(
        "organise/registrations/<int:pk>/move/",
        views.registration_move,
        name="console_registration_move",
    ),
]

# --- Check-in codes at the door (issue 16, item 4) ------------------------------------------
urlpatterns += [
    path("organise/sessions/<int:pk>/check-in/", views.session_check_in, name="console_check_in"),
    path(
        "organise/sessions/<int:pk>/check-in/confirm/",
        views.session_check_in_confirm,
        name="console_check_in_confirm",
    ),
    path(
        "organise/sessions/<int:pk>/check-in/undo/",
        views.session_check_in_undo,
        name="console_check_in_undo",
    ),
]
