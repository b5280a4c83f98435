from django.urls import path

from . import draft_views, follow_views, people_views, views

app_name = "initiatives"

urlpatterns = [
    path("ideas/", views.idea_board, name="idea_board"),
    path("ideas/new/", views.idea_create, name="idea_create"),
    path("ideas/mine/", views.my_ideas, name="my_ideas"),
    path("ideas/<int:pk>/", views.idea_detail, name="idea_detail"),
    path("ideas/<int:pk>/edit/", views.idea_edit, name="idea_edit"),
    path("ideas/<int:pk>/submit/", views.idea_submit, name="idea_submit"),
    path("ideas/<int:pk>/withdraw/", views.idea_withdraw, name="idea_withdraw"),
    path("ideas/<int:pk>/support/", views.idea_support, name="idea_support"),
    path("ideas/<int:pk>/comment/", views.idea_comment, name="idea_comment"),
    path("ideas/<int:pk>/report/", views.idea_report, name="idea_report"),
    path("ideas/comments/<int:pk>/delete/", views.comment_delete, name="comment_delete"),
    path("ideas/comments/<int:pk>/report/", views.comment_report, name="comment_report"),
    path(
        "ideas/<int:pk>/report-author/",
        people_views.idea_report_author,
        name="idea_report_author",
    ),
    path(
        "ideas/comments/<int:pk>/report-author/",
        people_views.comment_report_author,
        name="comment_report_author",
    ),
    path("ideas/comments/<int:pk>/mute/", people_views.comment_mute, name="comment_mute"),
    path("ideas/muted/", people_views.muted_people, name="muted_people"),
    path("moderation/", views.moderation_queue, name="moderation_queue"),
    path("moderation/people/", people_views.people, name="people"),
    path("moderation/people/<int:pk>/", people_views.person, name="person"),
    path("moderation/bulk/", views.moderation_bulk, name="moderation_bulk"),
    path("moderation/ideas/<int:pk>/", views.moderation_idea, name="moderation_idea"),
    path(
        "moderation/ideas/<int:pk>/warning/",
        views.moderation_idea_warning,
        name="moderation_idea_warning",
    ),
    path(
        "moderation/ideas/<int:pk>/redact/",
        views.moderation_idea_redact,
        name="moderation_idea_redact",
    ),
    path("moderation/comments/<int:pk>/", views.moderation_comment, name="moderation_comment"),
    path(
        "moderation/comments/<int:pk>/redact/",
        views.moderation_comment_redact,
        name="moderation_comment_redact",
    ),
    path(
        "moderation/reports/<str:kind>/<int:pk>/",
        views.moderation_resolve,
        name="moderation_resolve",
    ),
    path("initiatives/", views.initiative_list, name="initiative_list"),
    path("initiatives/new/", views.initiative_create, name="initiative_create"),
    path("initiatives/<slug:slug>/", views.initiative_detail, name="initiative_detail"),
    path("initiatives/<slug:slug>/join/", views.initiative_join, name="initiative_join"),
    path("initiatives/<slug:slug>/leave/", views.initiative_leave, name="initiative_leave"),
    path(
        "initiatives/<slug:slug>/cocreators/<int:pk>/report/",
        people_views.cocreator_report,
        name="cocreator_report",
    ),
    path(
        "initiatives/<slug:slug>/updates/",
        views.initiative_post_update,
        name="initiative_post_update",
    ),
    path("initiatives/<slug:slug>/status/", views.initiative_status, name="initiative_status"),
    path(
        "initiatives/<slug:slug>/follow/", follow_views.initiative_follow, name="initiative_follow"
    ),
    path(
        "initiatives/<slug:slug>/unfollow/",
        follow_views.initiative_unfollow,
        name="initiative_unfollow",
    ),
    path("following/", follow_views.following, name="following"),
    path(
        "following/unsubscribe/<str:token>/",
        follow_views.follow_unsubscribe,
        name="follow_unsubscribe",
    ),
    path("initiatives/<slug:slug>/draft/", draft_views.draft, name="draft"),
    path("initiatives/<slug:slug>/draft/history/", draft_views.draft_history, name="draft_history"),
    path("initiatives/<slug:slug>/draft/compare/", draft_views.draft_compare, name="draft_compare"),
    path(
        "initiatives/<slug:slug>/draft/versions/<int:number>/",
        draft_views.draft_version,
        name="draft_version",
    ),
    path(
        "initiatives/<slug:slug>/draft/versions/<int:number>/publish/",
        draft_views.draft_publish,
        name="draft_publish",
    ),
    path(
        "initiatives/<slug:slug>/draft/versions/<int:number>/restore/",
        draft_views.draft_restore,
        name="draft_restore",
    ),
    path(
        "initiatives/<slug:slug>/draft/comments/", draft_views.draft_comment, name="draft_comment"
    ),
    path(
        "initiatives/<slug:slug>/draft/comments/<int:pk>/delete/",
        draft_views.draft_comment_delete,
        name="draft_comment_delete",
    ),
]
