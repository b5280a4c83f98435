"""The public timeline, the home page's phase and countdown, and the staff's phase pages:
who may reach them, what they show, bad input answered with a clear message."""

from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditEvent
from process.models import Phase
from tests.factories import PhaseFactory, UserFactory

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


@pytest.fixture
def phases():
    """Ideas behind us, co-creation now, the launch in 20 days."""
    now = today()
    return [
        PhaseFactory(
            title="Ideas",
            title_en="Ideas",
            start_date=now - timedelta(days=30),
            end_date=now - timedelta(days=1),
            allows_ideas=True,
        ),
        PhaseFactory(
            title="Co-creation",
            title_en="Co-creation",
            title_ms="Penciptaan bersama",
            what_happens="We **draft** together.",
            what_happens_en="We **draft** together.",
            start_date=now,
            end_date=now + timedelta(days=19),
            allows_co_creation=True,
        ),
        PhaseFactory(
            title="Launch",
            title_en="Launch",
            start_date=now + timedelta(days=20),
            end_date=now + timedelta(days=40),
            is_launch=True,
        ),
    ]


# --- The public timeline and the home page --------------------------------------------------


def test_timeline_lists_every_phase_in_order_with_the_current_one_marked(client, phases):
    response = client.get("/process/")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.index("Ideas") < page.index("Co-creation") < page.index("Launch")
    assert page.count('aria-current="step"') == 1
    current = page[page.index('aria-current="step"') :]
    assert current.index("Co-creation") < current.index("Launch")
    assert "<strong>draft</strong>" in page  # what happens, in Markdown
    assert (today() + timedelta(days=20)).strftime("%-d %B %Y") in page
    # While co-creation is open, the timeline links to it; idea submission has closed.
    assert "Join an initiative as a co-creator" in page
    assert "/ideas/new/" not in page.split("<main", 1)[-1].split("</main>")[0]


def test_timeline_in_malay_shows_the_malay_title_and_english_where_none(client, phases):
    client.cookies["afa_language"] = "ms"
    page = client.get("/process/").content.decode()
    assert "Penciptaan bersama" in page
    assert '<h2 class="h4 mb-1" lang="en">Launch</h2>' in page


def test_timeline_without_phases_says_so(client):
    response = client.get("/process/")
    assert response.status_code == 200
    assert "have not been published yet" in response.content.decode()


def test_home_shows_the_current_phase_and_the_days_to_the_launch_phase(client, phases):
    page = client.get("/").content.decode()
    assert "Co-creation" in page
    assert 'data-days-to-launch="20"' in page
    assert "20 days to the official launch" in page
    assert 'href="/process/"' in page


def test_home_without_phases_counts_down_to_the_launch_setting(client, settings):
    settings.AFA_LAUNCH_DATE = (today() + timedelta(days=3)).isoformat()
    page = client.get("/").content.decode()
    assert "3 days to the official launch" in page


def test_the_site_navigation_links_the_timeline(client):
    assert 'href="/process/"' in client.get("/ideas/").content.decode()


def _count(client, url):
    client.get(url)
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_timeline_and_home_cost_the_same_with_few_or_many_phases(client):
    PhaseFactory(start_date=today(), end_date=today() + timedelta(days=1))
    few = {url: _count(client, url) for url in ["/process/", "/"]}
    for i in range(30):
        start = today() + timedelta(days=10 + i * 3)
        PhaseFactory(start_date=start, end_date=start + timedelta(days=1))
    many = {url: _count(client, url) for url in ["/process/", "/"]}
    assert few == many


# --- Staff's pages: the role matrix ---------------------------------------------------------


def urls(phase) -> list[str]:
    return [
        "/process/manage/",
        "/process/manage/new/",
        f"/process/manage/{phase.pk}/edit/",
        f"/process/manage/{phase.pk}/delete/",
    ]


@pytest.fixture
def phase():
    return PhaseFactory(title="Ideas", title_en="Ideas")


def test_anonymous_visitors_are_sent_to_sign_in(client, phase):
    for url in urls(phase):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.post(f"/process/manage/{phase.pk}/delete/").status_code == 302
    assert Phase.objects.exists()


@pytest.mark.parametrize("who", ["participant", "other_participant", "organiser"])
def test_participants_and_organisers_cannot_manage_phases(client, request, who, phase):
    client.force_login(request.getfixturevalue(who))
    for url in urls(phase):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/process/manage/{phase.pk}/delete/").status_code == 403
    assert client.post("/process/manage/new/", {}).status_code == 403
    assert Phase.objects.count() == 1


@pytest.mark.parametrize("who", ["staff", "admin_user"])
def test_staff_and_administrators_manage_phases(client, request, who, phase):
    client.force_login(request.getfixturevalue(who))
    for url in urls(phase):
        assert client.get(url).status_code == 200, url


def test_staff_without_two_factor_are_sent_to_set_it_up(client, phase):
    client.force_login(UserFactory(roles=["MCI Staff"]))
    for url in urls(phase):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/2fa/" in response["Location"], url


def test_staff_with_an_authenticator_but_no_code_this_session_are_asked_for_it(client, phase):
    client.force_login(UserFactory(roles=["MCI Staff"], mfa=True), second_factor=False)
    response = client.get("/process/manage/")
    assert response.status_code == 302 and "reauthenticate" in response["Location"]


def test_a_missing_phase_is_404(client, staff):
    client.force_login(staff)
    assert client.get("/process/manage/999999/edit/").status_code == 404
    assert client.post("/process/manage/999999/delete/").status_code == 404


# --- Staff's pages: writing ---------------------------------------------------------------


def form_data(start, end, **overrides):
    data = {
        "start_date": start.isoformat(),
        "end_date": end.isoformat(),
        "title_en": "Ideas",
        "what_happens_en": "People put forward ideas.",
        "title_ms": "Idea",
        "actions": ["submit_ideas"],
    }
    data.update(overrides)
    return data


def test_staff_add_a_phase_from_the_form(client, staff):
    client.force_login(staff)
    response = client.post("/process/manage/new/", form_data(date(2027, 1, 1), date(2027, 1, 31)))
    assert response.status_code == 302 and response["Location"] == "/process/manage/"
    phase = Phase.objects.get()
    assert phase.title_ms == "Idea" and phase.allows_ideas and phase.title_ta is None
    assert AuditEvent.objects.filter(action="process.phase_create", actor=staff).exists()


def test_staff_edit_and_delete_a_phase(client, staff, phase):
    client.force_login(staff)
    response = client.post(
        f"/process/manage/{phase.pk}/edit/",
        form_data(date(2027, 2, 1), date(2027, 2, 28), title_en="Ideas, renamed", actions=[]),
    )
    assert response.status_code == 302
    phase.refresh_from_db()
    assert phase.title == "Ideas, renamed" and not phase.allows_ideas
    assert client.post(f"/process/manage/{phase.pk}/delete/").status_code == 302
    assert not Phase.objects.exists()


def test_a_backwards_phase_is_refused_beside_the_last_day(client, staff):
    client.force_login(staff)
    response = client.post("/process/manage/new/", form_data(date(2027, 2, 1), date(2027, 1, 1)))
    assert response.status_code == 400
    assert response.context["form"].errors["end_date"] == [
        "The last day must be on or after the first day."
    ]
    assert "There is a problem" in response.content.decode()
    assert not Phase.objects.exists()


def test_overlapping_dates_are_refused_with_the_phase_in_the_way(client, staff):
    PhaseFactory(
        title="Conversations",
        title_en="Conversations",
        start_date=date(2027, 1, 1),
        end_date=date(2027, 1, 31),
    )
    client.force_login(staff)
    response = client.post("/process/manage/new/", form_data(date(2027, 1, 20), date(2027, 2, 20)))
    assert response.status_code == 400
    assert (
        "overlap “Conversations” (1 January 2027 to 31 January 2027)" in response.content.decode()
    )
    # What was typed is kept.
    assert 'value="2027-01-20"' in response.content.decode()
    assert Phase.objects.count() == 1


def test_a_hundred_year_phase_is_accepted(client, staff):
    client.force_login(staff)
    response = client.post("/process/manage/new/", form_data(date(2027, 1, 1), date(2127, 1, 1)))
    assert response.status_code == 302


@pytest.mark.parametrize(
    "overrides",
    [
        {"start_date": "2027-02-30"},
        {"start_date": "not a date"},
        {"end_date": ""},
        {"title_en": ""},
        {"what_happens_en": ""},
        {"title_en": "x" * 121},
        {"actions": ["launch_rockets"]},
    ],
)
def test_bad_input_is_a_message_not_an_error(client, staff, overrides):
    client.force_login(staff)
    response = client.post(
        "/process/manage/new/", form_data(date(2027, 1, 1), date(2027, 1, 31), **overrides)
    )
    assert response.status_code == 400
    assert response.context["form"].errors
    assert not Phase.objects.exists()
