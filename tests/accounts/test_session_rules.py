"""Rules on every signed-in request (issue 10, items 10-12): private pages are not cached,
privileged sessions end after idle time, and no view answers a method it does not serve."""

import time

import pytest
from django.urls import reverse

from accounts.middleware import LAST_SEEN, SIGNED_IN_AT
from tests.accounts.test_second_factor_walk import all_urls
from tests.factories import FeedbackFactory

pytestmark = pytest.mark.django_db


# --- Cache-Control -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/accounts/profile/", "/sessions/mine/", "/feedback/", "/ideas/mine/", "/"]
)
def test_pages_for_a_signed_in_person_are_never_stored(client, participant, url):
    client.force_login(participant)
    response = client.get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_a_feedback_page_is_never_stored(client, participant):
    from django.utils import timezone

    feedback = FeedbackFactory(
        participant=participant, experience="What I saw", editable_until=timezone.now()
    )
    client.force_login(participant)
    response = client.get(reverse("feedback:detail", args=[feedback.pk]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_public_pages_for_visitors_may_be_cached(client):
    response = client.get("/harms/")
    assert "no-store" not in response.get("Cache-Control", "")


# --- Idle and absolute timeouts ------------------------------------------------------------


def _age_session(client, *, idle_seconds: int = 0, signed_in_seconds: int = 0) -> None:
    session = client.session
    now = int(time.time())
    session[LAST_SEEN] = now - idle_seconds
    session[SIGNED_IN_AT] = now - max(idle_seconds, signed_in_seconds)
    session.save()


def test_an_organiser_idle_for_31_minutes_is_signed_out_and_told_why(client, organiser):
    client.force_login(organiser)
    assert client.get(reverse("engagement:console")).status_code == 200
    _age_session(client, idle_seconds=31 * 60)
    response = client.get(reverse("engagement:console"), follow=True)
    assert response.redirect_chain[0][0].startswith(reverse("account_login"))
    assert not response.wsgi_request.user.is_authenticated
    assert "inactive for too long" in response.content.decode()


def test_an_organiser_idle_for_29_minutes_stays_signed_in(client, organiser):
    client.force_login(organiser)
    _age_session(client, idle_seconds=29 * 60)
    assert client.get(reverse("engagement:console")).status_code == 200


def test_an_active_organiser_is_signed_out_after_12_hours_all_the_same(client, organiser):
    client.force_login(organiser)
    _age_session(client, idle_seconds=10, signed_in_seconds=12 * 3600 + 60)
    response = client.get(reverse("engagement:console"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("who", ["staff", "admin_user"])
def test_staff_and_administrators_have_the_idle_timeout_too(client, request, who):
    client.force_login(request.getfixturevalue(who))
    _age_session(client, idle_seconds=31 * 60)
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_participant_idle_for_hours_keeps_the_session(client, participant):
    client.force_login(participant)
    _age_session(client, idle_seconds=5 * 3600)
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_an_organisers_request_renews_the_stored_session_for_the_idle_time(client, organiser):
    client.force_login(organiser)
    _age_session(client, idle_seconds=120)
    client.get(reverse("engagement:console"))
    session = client.session
    assert int(time.time()) - session[LAST_SEEN] < 5
    assert 29 * 60 < session.get_expiry_age() <= 30 * 60


def test_stay_signed_in_restarts_the_idle_clock(client, organiser):
    client.force_login(organiser)
    _age_session(client, idle_seconds=28 * 60)
    response = client.post(
        reverse("accounts:stay_signed_in"), {"next": reverse("engagement:console")}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("engagement:console")
    assert int(time.time()) - client.session[LAST_SEEN] < 5
    by_script = client.post(
        reverse("accounts:stay_signed_in"), headers={"X-Requested-With": "fetch"}
    )
    assert by_script.status_code == 204


def test_stay_signed_in_never_redirects_off_site(client, organiser):
    client.force_login(organiser)
    response = client.post(reverse("accounts:stay_signed_in"), {"next": "https://evil.example"})
    assert response["Location"] == reverse("accounts:profile")


def test_the_page_tells_an_organiser_about_the_timeout_and_not_a_participant(
    client, organiser, participant
):
    client.force_login(organiser)
    page = client.get(reverse("engagement:console")).content.decode()
    assert 'data-session-timeout="1800"' in page
    assert "signed out after 30 minutes without activity" in page
    assert "Stay signed in" in page
    client.force_login(participant)
    assert "data-session-timeout" not in client.get("/").content.decode()


def test_signing_in_again_restarts_both_clocks(client, organiser):
    client.force_login(organiser)
    _age_session(client, idle_seconds=20 * 60, signed_in_seconds=11 * 3600)
    client.force_login(organiser)
    session = client.session
    assert int(time.time()) - session[SIGNED_IN_AT] < 5


# --- Methods -------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["TRACE", "OPTIONS", "PUT", "PATCH", "DELETE"])
def test_no_url_answers_a_method_no_view_serves(client, participant, method):
    client.force_login(participant)
    urls = all_urls({"ids": ["1"], "slugs": ["x"]})
    answered = {url: client.generic(method, url).status_code for url in urls}
    # The public API answers OPTIONS itself: it is the CORS preflight (tests/api).
    expected = {
        url: 204
        for url in urls
        if method == "OPTIONS" and url.startswith("/api/v1/") and not url.startswith("/api/v1/docs")
    }
    assert {url: code for url, code in answered.items() if code != 405} == expected
    response = client.generic(method, "/")
    assert response["Allow"] == "GET, HEAD, POST"


@pytest.mark.parametrize(
    "url", ["/", "/privacy/", "/support/", "/harms/", "/ideas/", "/initiatives/", "/healthz"]
)
def test_pages_that_only_show_refuse_a_post(client, url):
    response = client.post(url)
    assert response.status_code == 405
    assert "POST" not in response["Allow"]


# --- NULs in pages we do not write ---------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/admin/accounts/user/?q=a%00b",
        "/admin/initiatives/idea/?q=%00",
        "/admin/harms/harmcategory/?q=x%00y&o=1",
        "/admin/audit/auditevent/?q=%00",
    ],
)
def test_the_admin_search_box_survives_a_nul(client, admin_user, url):
    """Django's own search form refuses a NUL (checked on PostgreSQL), so the admin needs no
    help from audit.querystring; this keeps it so."""
    client.force_login(admin_user)
    response = client.get(url)
    assert response.status_code == 200
