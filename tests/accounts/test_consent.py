"""Consent to the privacy notice (issue 13, item 3): its history, a new notice version accepted
before going on, withdrawal leading to erasure."""

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from accounts import services
from accounts.models import ConsentDecision, ConsentMethod, ConsentRecord, User
from tests.factories import PASSWORD, UserFactory, sgt

pytestmark = pytest.mark.django_db

CURRENT = django_settings.PDPA_NOTICE_VERSION


@pytest.fixture
def behind(db):
    """Someone who accepted an older notice than the one in force."""
    person = UserFactory(display_name="Wei Jie", pdpa_consent_version="2025-01")
    ConsentRecord.objects.create(
        user=person, notice_version="2025-01", decision="given", method="sign_up"
    )
    return person


def test_sign_up_records_consent_to_the_current_notice():
    user = User.objects.create_user(email="new@example.com", password=PASSWORD)
    services.user_complete_signup(
        user=user,
        display_name="New",
        background="parent",
        organisation="",
        age_group="adult",
        guardian_consent=False,
        pdpa_consent=True,
    )
    record = ConsentRecord.objects.get(user=user)
    assert (record.notice_version, record.decision, record.method) == (
        CURRENT,
        ConsentDecision.GIVEN,
        ConsentMethod.SIGN_UP,
    )
    user.refresh_from_db()
    assert user.pdpa_consent_version == CURRENT and user.pdpa_consented_at == record.recorded_at


def test_someone_behind_is_sent_to_the_new_notice_before_going_on(client, behind):
    client.force_login(behind)
    response = client.get("/sessions/mine/")
    assert response.status_code == 302
    assert response["Location"] == "/privacy/?next=%2Fsessions%2Fmine%2F"
    posted = client.post("/accounts/profile/", {"display_name": "Changed"})
    assert posted.status_code == 302 and posted["Location"] == "/privacy/"
    behind.refresh_from_db()
    assert behind.display_name == "Wei Jie"


@pytest.mark.parametrize(
    "path", ["/privacy/", "/accounts/profile/delete/", "/accounts/logout/", "/healthz"]
)
def test_the_notice_sign_out_and_delete_pages_stay_open(client, behind, path):
    client.force_login(behind)
    assert client.get(path).status_code == 200


def test_people_up_to_date_and_visitors_go_where_they_asked(client, participant):
    assert client.get("/sessions/").status_code == 200
    client.force_login(participant)
    assert client.get("/sessions/").status_code == 200


def test_the_privacy_page_shows_what_changed_and_the_accept_form(client, behind):
    client.force_login(behind)
    page = client.get("/privacy/?next=/sessions/").content.decode()
    assert "The privacy notice has changed" in page
    assert "You accepted version 2025-01. This is version" in page
    assert "Your profile now shows your consent history" in page  # the 2026-11 changes
    assert f'name="version" value="{CURRENT}"' in page
    assert 'name="next" value="/sessions/"' in page
    assert "/accounts/profile/delete/?withdraw=1" in page


def test_a_version_without_its_own_changes_says_so_generally(client, behind, settings):
    settings.PDPA_NOTICE_VERSION = "2031-01"
    client.force_login(behind)
    page = client.get("/privacy/").content.decode()
    assert "We have updated the notice. Please read it again in full." in page


def test_accepting_records_it_and_goes_on(client, behind):
    client.force_login(behind)
    response = client.post(
        "/accounts/profile/notice/accept/", {"version": CURRENT, "next": "/sessions/"}
    )
    assert response.status_code == 302 and response["Location"] == "/sessions/"
    latest = ConsentRecord.objects.filter(user=behind).first()
    assert (latest.notice_version, latest.method) == (CURRENT, ConsentMethod.NOTICE_UPDATE)
    assert client.get("/sessions/mine/").status_code == 200
    # A second click records nothing more.
    client.post("/accounts/profile/notice/accept/", {"version": CURRENT})
    assert ConsentRecord.objects.filter(user=behind).count() == 2


def test_a_notice_changed_while_reading_is_shown_again_and_nothing_is_recorded(
    client, behind, settings
):
    client.force_login(behind)
    shown = CURRENT
    assert f'value="{shown}"' in client.get("/privacy/").content.decode()
    settings.PDPA_NOTICE_VERSION = "2031-01"  # published while the form was open
    response = client.post(
        "/accounts/profile/notice/accept/", {"version": shown, "next": "/sessions/"}, follow=True
    )
    page = response.content.decode()
    assert response.redirect_chain[0] == ("/privacy/?next=%2Fsessions%2F", 302)
    assert "changed while you were reading it" in page
    assert 'name="version" value="2031-01"' in page
    assert ConsentRecord.objects.filter(user=behind).count() == 1
    behind.refresh_from_db()
    assert behind.pdpa_consent_version == "2025-01"


def test_a_next_address_elsewhere_is_not_followed(client, behind):
    client.force_login(behind)
    response = client.post(
        "/accounts/profile/notice/accept/",
        {"version": CURRENT, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/accounts/profile/"


def test_accepting_needs_a_signed_in_post(client, participant):
    assert client.post("/accounts/profile/notice/accept/", {"version": CURRENT}).status_code == 302
    client.force_login(participant)
    assert client.get("/accounts/profile/notice/accept/").status_code == 405


def test_withdrawing_is_offered_on_the_privacy_page_and_explained(client, participant):
    client.force_login(participant)
    page = client.get("/privacy/").content.decode()
    assert "Withdraw consent and delete my account" in page
    delete_page = client.get("/accounts/profile/delete/?withdraw=1").content.decode()
    assert "Why withdrawing consent deletes your account" in delete_page
    assert 'name="withdraw" value="1"' in delete_page
    assert "Why withdrawing" not in client.get("/accounts/profile/delete/").content.decode()


def test_visitors_see_neither_accept_nor_withdraw(client):
    page = client.get("/privacy/").content.decode()
    assert "Withdraw consent and delete my account" not in page
    assert "notice/accept" not in page


def test_withdrawing_consent_erases_the_account_and_records_it(
    client, participant, django_capture_on_commit_callbacks
):
    client.force_login(participant)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/profile/delete/",
            {"withdraw": "1", "keep_contributions": "delete", "password": PASSWORD},
        )
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.is_erased
    latest = ConsentRecord.objects.filter(user=participant).first()
    assert (latest.decision, latest.method) == (
        ConsentDecision.WITHDRAWN,
        ConsentMethod.PRIVACY_PAGE,
    )


def test_deleting_the_account_ends_the_history_with_a_withdrawal(
    participant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.account_erase(user=participant, keep_contributions=True, requested_by=None)
    latest = ConsentRecord.objects.filter(user=participant).first()
    assert (latest.decision, latest.method) == ("withdrawn", ConsentMethod.ACCOUNT_DELETED)


def test_the_profile_shows_the_consent_history(client, behind):
    services.consent_accept(user=behind, version=CURRENT)
    client.force_login(behind)
    page = client.get("/accounts/profile/").content.decode()
    assert "Your consent history" in page
    assert page.index(CURRENT) < page.index("2025-01")  # newest first
    assert "Accepting an updated notice" in page and "At sign-up" in page


def test_the_profile_reads_the_history_in_one_query_however_long(
    client, behind, django_assert_max_num_queries
):
    client.force_login(behind)
    services.consent_accept(user=behind, version=CURRENT)
    for month in range(1, 40):
        ConsentRecord.objects.create(
            user=behind,
            notice_version=f"v{month}",
            decision="given",
            method="notice_update",
            recorded_at=timezone.now(),
        )
    client.get("/accounts/profile/")  # warm up
    with django_assert_max_num_queries(12) as captured:
        page = client.get("/accounts/profile/").content.decode()
    assert sum("accounts_consentrecord" in q["sql"] for q in captured.captured_queries) == 1
    assert page.count("<td>v") == 20  # the latest twenty


# --- The backfill (accounts 0006) --------------------------------------------------------

BEFORE = [("accounts", "0005_consent_record")]
AFTER = [("accounts", "0006_consent_history_from_signup_consent")]


def _migrate(targets):
    MigrationExecutor(connection).migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_existing_sign_up_consent_becomes_the_first_record_of_each_history():
    try:
        old_apps = _migrate(BEFORE)
        OldUser = old_apps.get_model("accounts", "User")
        given = sgt(2026, 3, 1, 9)
        consented = OldUser.objects.create(
            email="a@example.com", pdpa_consent_version="2026-01", pdpa_consented_at=given
        )
        OldUser.objects.create(email="b@example.com")  # an account made without sign-up
        _migrate(AFTER)
        records = list(ConsentRecord.objects.values_list("user_id", "notice_version", "method"))
        assert records == [(consented.pk, "2026-01", "sign_up")]
        assert ConsentRecord.objects.get().recorded_at == given
        _migrate(BEFORE)
        assert not ConsentRecord.objects.exists()
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
