"""My account -> Delete my account (/accounts/profile/delete/), and the admin's "delete user",
which erases through the same service."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from accounts.models import ConsentRecord, User
from audit.models import AuditEvent
from initiatives.models import ANONYMOUS_LABEL, Idea, IdeaStatus
from tests.factories import PASSWORD, IdeaFactory, UserFactory, current_totp_code

pytestmark = pytest.mark.django_db

URL = "/accounts/profile/delete/"


def test_the_page_has_its_address_and_says_what_happens(client, participant):
    assert reverse("accounts:delete") == URL
    client.force_login(participant)
    page = client.get(URL).content.decode()
    assert "cannot be undone" in page
    assert "Anonymous participant" in page and "Delete them" in page
    assert 'name="password"' in page and 'name="code"' not in page
    assert 'href="/accounts/profile/delete/"' in client.get("/accounts/profile/").content.decode()


@pytest.mark.parametrize(
    "who, status", [("anonymous", 302), ("participant", 200), ("organiser", 200), ("staff", 200)]
)
def test_everyone_signed_in_may_open_it_and_nobody_else(client, request, who, status):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    response = client.get(URL)
    assert response.status_code == status
    if who == "anonymous":
        assert response["Location"].startswith("/accounts/login/")


def test_an_organiser_with_an_authenticator_is_asked_for_a_code(client, organiser):
    client.force_login(organiser)
    assert 'name="code"' in client.get(URL).content.decode()


def test_a_wrong_password_is_refused_clearly_and_nothing_changes(client, participant):
    client.force_login(participant)
    response = client.post(URL, {"keep_contributions": "keep", "password": "not-it"})
    assert response.status_code == 200
    assert "That password is not right." in response.content.decode()
    participant.refresh_from_db()
    assert not participant.is_erased and participant.display_name == "Pat Participant"
    assert client.get("/accounts/profile/").status_code == 200  # still signed in


def test_without_a_choice_nothing_happens(client, participant):
    client.force_login(participant)
    response = client.post(URL, {"password": PASSWORD})
    assert response.status_code == 200
    assert "Choose what happens to your ideas and comments." in response.content.decode()
    participant.refresh_from_db()
    assert not participant.is_erased


def test_a_wrong_code_is_refused_clearly_and_nothing_changes(client, organiser):
    client.force_login(organiser)
    response = client.post(
        URL, {"keep_contributions": "delete", "password": PASSWORD, "code": "000000"}
    )
    assert response.status_code == 200
    assert "That code is not right." in response.content.decode()
    organiser.refresh_from_db()
    assert not organiser.is_erased


def test_too_many_wrong_passwords_stop_the_guessing(client, participant):
    client.force_login(participant)
    for _attempt in range(5):
        client.post(URL, {"keep_contributions": "keep", "password": "guess"})
    response = client.post(URL, {"keep_contributions": "keep", "password": PASSWORD})
    assert response.status_code == 200
    assert "Too many failed attempts" in response.content.decode()
    participant.refresh_from_db()
    assert not participant.is_erased


def test_the_right_code_erases_the_organiser(client, organiser, django_capture_on_commit_callbacks):
    client.force_login(organiser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            URL,
            {
                "keep_contributions": "keep",
                "password": PASSWORD,
                "code": current_totp_code(organiser.totp_secret),
            },
        )
    assert response.status_code == 302 and response["Location"] == "/"
    organiser.refresh_from_db()
    assert organiser.is_erased


def test_erasing_keeps_the_idea_anonymous_signs_out_and_a_second_post_breaks_nothing(
    client, participant, django_capture_on_commit_callbacks
):
    idea = IdeaFactory(author=participant, status=IdeaStatus.APPROVED)
    client.force_login(participant)
    cookie = client.cookies["sessionid"].value
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            URL, {"keep_contributions": "keep", "password": PASSWORD}, follow=True
        )
    assert "Your account has been deleted" in response.content.decode()
    assert not response.context["user"].is_authenticated
    assert str(ANONYMOUS_LABEL) in client.get(idea.get_absolute_url()).content.decode()
    assert "Pat Participant" not in client.get(idea.get_absolute_url()).content.decode()

    # The same form sent again, from the old session's cookie (a second tab, a double click).
    client.cookies["sessionid"] = cookie
    again = client.post(URL, {"keep_contributions": "delete", "password": PASSWORD})
    assert again.status_code == 302 and again["Location"].startswith("/accounts/login/")
    assert Idea.objects.filter(pk=idea.pk).exists()  # the second choice did nothing
    assert AuditEvent.objects.filter(action="accounts.account_erase").count() == 1


# --- The admin --------------------------------------------------------------------------


def test_the_admin_delete_page_asks_about_contributions_then_erases(
    client, admin_user, django_capture_on_commit_callbacks
):
    person = UserFactory(display_name="Rahim Bin Ali")
    IdeaFactory(author=person, status=IdeaStatus.APPROVED)
    client.force_login(admin_user)
    url = f"/admin/accounts/user/{person.pk}/delete/"
    page = client.get(url)
    assert page.status_code == 200 and "Delete them" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"keep_contributions": "0"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.is_erased and User.objects.filter(pk=person.pk).exists()
    assert not Idea.objects.filter(author=person).exists()
    event = AuditEvent.objects.get(action="accounts.account_erase")
    assert event.actor_id == admin_user.pk
    assert not LogEntry.objects.filter(object_repr__contains="Rahim").exists()


def test_the_admin_offers_erasure_instead_of_bulk_delete(
    client, admin_user, django_capture_on_commit_callbacks
):
    people = UserFactory.create_batch(2)
    client.force_login(admin_user)
    changelist = client.get("/admin/accounts/user/").content.decode()
    assert "delete_selected" not in changelist and "erase_keeping_contributions" in changelist
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/accounts/user/",
            {
                "action": "erase_keeping_contributions",
                "_selected_action": [person.pk for person in [*people, admin_user]],
            },
        )
    assert User.objects.filter(erased_at__isnull=False).count() == 2
    admin_user.refresh_from_db()
    assert not admin_user.is_erased  # never oneself from the list


def test_an_administrator_is_sent_to_their_own_page_to_erase_themselves(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        f"/admin/accounts/user/{admin_user.pk}/delete/", {"keep_contributions": "1"}
    )
    assert response.status_code == 302
    admin_user.refresh_from_db()
    assert not admin_user.is_erased


def test_the_admin_shows_a_persons_consent_history_read_only(client, admin_user, participant):
    ConsentRecord.objects.create(
        user=participant, notice_version="2025-01", decision="given", method="sign_up"
    )
    client.force_login(admin_user)
    page = client.get(f"/admin/accounts/user/{participant.pk}/change/").content.decode()
    assert "2025-01" in page and "At sign-up" in page
    assert 'name="consent_records-0-notice_version"' not in page
