"""The admin site as a whole: only administrators with a second factor get in, every page of
every model admin answers without an error page, and the admins of what a service owns can
add, change and delete exactly what the table below says."""

import pytest
from django.contrib import admin
from django.test import RequestFactory

pytestmark = pytest.mark.django_db

CAST = ["anonymous", "participant", "organiser", "staff", "admin_user"]

# Model label -> (add, change, delete) for a superuser. Where a service owns the rows, the
# admin only looks, or (True) routes its change through the service.
PERMISSIONS = {
    # allauth's own: email addresses and second factors belong to their owner's account.
    "account.emailaddress": (True, True, True),
    "mfa.authenticator": (True, True, True),
    "accounts.user": (True, True, True),
    "audit.auditevent": (False, False, False),
    "auth.group": (True, True, True),
    "engagement.engagementsession": (True, True, False),  # through session_create/_update
    "engagement.registration": (False, True, False),  # access needs only
    "exports.exportjob": (False, False, False),
    "harms.harmcategory": (True, True, True),
    "harms.solutionarea": (True, True, True),
    "harms.supportresource": (True, True, True),
    "initiatives.comment": (False, False, False),
    "initiatives.draftcomment": (False, False, False),
    "initiatives.draftversion": (False, False, False),
    "initiatives.idea": (False, False, False),
    "initiatives.initiative": (False, True, False),  # wording, leads, categories only
    "initiatives.initiativeupdate": (False, False, False),
    "initiatives.moderationlog": (False, False, False),
    "initiatives.report": (False, False, False),
    "outbox.outboundemail": (False, False, False),
    "process.phase": (False, False, False),  # staff edit phases at /process/manage/
    "reports.digest": (False, False, False),
    "reports.digestsubscription": (False, False, False),
    "reports.launchsettings": (True, True, True),
    "reports.sessionsummary": (False, False, False),
}


def _registered():
    return {
        model._meta.label_lower: model_admin for model, model_admin in admin.site._registry.items()
    }


def test_every_model_admin_is_in_the_permission_table():
    """A new model admin has to say here what it may write."""
    assert set(_registered()) == set(PERMISSIONS)


@pytest.mark.parametrize("label", sorted(PERMISSIONS))
def test_model_admin_adds_changes_and_deletes_only_what_no_service_owns(label, admin_user):
    model_admin = _registered()[label]
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    granted = (
        model_admin.has_add_permission(request),
        model_admin.has_change_permission(request),
        model_admin.has_delete_permission(request),
    )
    assert granted == PERMISSIONS[label]


@pytest.mark.parametrize("who", CAST)
@pytest.mark.parametrize("label", sorted(PERMISSIONS))
def test_only_administrators_open_the_admin_lists(client, request, who, label):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    app_label, model_name = label.split(".")
    response = client.get(f"/admin/{app_label}/{model_name}/")
    if who == "admin_user":
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


@pytest.mark.parametrize("label", sorted(label for label, (add, *_) in PERMISSIONS.items() if add))
def test_admin_add_pages_answer(client, admin_user, label):
    client.force_login(admin_user)
    app_label, model_name = label.split(".")
    assert client.get(f"/admin/{app_label}/{model_name}/add/").status_code == 200


@pytest.mark.parametrize(
    "label", sorted(label for label, (add, *_) in PERMISSIONS.items() if not add)
)
def test_admin_add_pages_are_refused_where_a_service_creates(client, admin_user, label):
    client.force_login(admin_user)
    app_label, model_name = label.split(".")
    assert client.get(f"/admin/{app_label}/{model_name}/add/").status_code == 403


def test_administrator_without_a_second_factor_in_this_session_is_sent_to_it(client, admin_user):
    client.force_login(admin_user, second_factor=False)
    response = client.get("/admin/engagement/engagementsession/")
    assert response.status_code == 302
    assert "/admin/" not in response["Location"]
