"""'What we heard' (issue 17, item 2): an organiser's public summary of a held session, its
figures with small counts hidden, its quotes only from the quote review, published once with
one email to each attendee, shown on the session page."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from audit.models import AuditEvent
from engagement.models import RegistrationStatus, SessionStatus
from feedback import services as feedback_services
from initiatives.models import IdeaStatus
from outbox.models import OutboundEmail
from outbox.tasks import send_outbound_emails
from reports import services
from reports.figures import session_figures
from reports.models import (
    SESSION_SUMMARY_BODY_MAX,
    SESSION_SUMMARY_TRANSITIONS,
    SessionSummary,
    SessionSummaryStatus,
)
from reports.services import SESSION_SUMMARY_EMAIL, SummaryError
from tests.factories import (
    EngagementSessionFactory,
    FeedbackFactory,
    IdeaFactory,
    RegistrationFactory,
    SessionSummaryFactory,
    UserFactory,
)


def _held(**kwargs):
    starts = timezone.now() - timedelta(days=1)
    return EngagementSessionFactory(starts_at=starts, ends_at=starts + timedelta(hours=2), **kwargs)


def _save(session, organiser, body="We heard **a lot**.", **kwargs):
    return services.summary_save(session=session, organiser=organiser, body=body, **kwargs)


def _edit_url(session):
    return reverse("reports:session_summary_edit", args=[session.pk])


def _preview_url(session):
    return reverse("reports:session_summary_preview", args=[session.pk])


def _publish_url(session):
    return reverse("reports:session_summary_publish", args=[session.pk])


@pytest.fixture
def other_organiser(db):
    return UserFactory(display_name="Opal Organiser", roles=[Role.ORGANISER], mfa=True)


# --- Writing it: only for a held session -------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("upcoming", "once the session is over"),
        ("cancelled", "was cancelled"),
        ("draft", "Only a published session"),
    ],
)
def test_a_summary_is_refused_for_a_session_not_held(organiser, kind, message):
    if kind == "upcoming":
        session = EngagementSessionFactory()
    elif kind == "cancelled":
        session = _held(status=SessionStatus.CANCELLED)
    else:
        session = _held(status=SessionStatus.DRAFT)
    with pytest.raises(SummaryError, match=message):
        _save(session, organiser)
    assert not SessionSummary.objects.exists()


def test_saving_writes_a_draft_with_its_themes_and_an_audit_row(organiser):
    from tests.factories import area, category

    session = _held()
    summary = _save(
        session,
        organiser,
        harm_category_ids=[category("non-consensual-publication").pk],
        solution_area_ids=[area("regulation").pk],
    )
    assert summary.is_draft and summary.written_by == organiser
    assert [c.slug for c in summary.harm_categories.all()] == ["non-consensual-publication"]
    assert [a.slug for a in summary.solution_areas.all()] == ["regulation"]
    assert AuditEvent.objects.filter(action="session_summary.save", object_id=str(session.pk))


def test_a_text_over_the_limit_is_refused_with_its_length(organiser):
    with pytest.raises(SummaryError, match=f"{SESSION_SUMMARY_BODY_MAX}"):
        _save(_held(), organiser, body="x" * (SESSION_SUMMARY_BODY_MAX + 1))


def test_ideas_must_be_published_and_from_the_session_or_after_it(organiser):
    session = _held()
    linked = IdeaFactory(status=IdeaStatus.APPROVED, session=session)
    after = IdeaFactory(status=IdeaStatus.APPROVED, submitted_at=timezone.now())
    before = IdeaFactory(
        status=IdeaStatus.APPROVED, submitted_at=session.starts_at - timedelta(days=3)
    )
    summary = _save(session, organiser, idea_ids=[linked.pk, after.pk])
    assert set(summary.ideas.all()) == {linked, after}
    for status in (IdeaStatus.HIDDEN, IdeaStatus.WITHDRAWN, IdeaStatus.SUBMITTED):
        hidden = IdeaFactory(status=status, session=session)
        with pytest.raises(SummaryError, match="not a published idea"):
            _save(session, organiser, idea_ids=[hidden.pk])
    for bad in (before.pk, 999_999):
        with pytest.raises(SummaryError, match="not a published idea"):
            _save(session, organiser, idea_ids=[bad])
    # Nothing lost: the refused saves changed nothing.
    assert set(SessionSummary.objects.get().ideas.all()) == {linked, after}


def test_quotes_must_be_this_sessions_feedback_approved_in_the_quote_review(organiser):
    session = _held()
    approved = FeedbackFactory(session=session, quote_excerpt="It took weeks to take it down.")
    not_reviewed = FeedbackFactory(
        session=session, quote_status="pending", quote_consent=True, quote_excerpt=""
    )
    elsewhere = FeedbackFactory(session=_held(), quote_excerpt="Another session.")
    summary = _save(session, organiser, quote_ids=[approved.pk])
    assert list(summary.quotes.all()) == [approved]
    for bad in (not_reviewed.pk, elsewhere.pk, 999_999):
        with pytest.raises(SummaryError, match="approved in the quote review"):
            _save(session, organiser, quote_ids=[bad])


# --- Publishing and the one email --------------------------------------------------------


def _people(session, *, attended: int, confirmed_only: int = 0):
    came = [
        RegistrationFactory(session=session, attended=True).participant for _ in range(attended)
    ]
    stayed_away = [RegistrationFactory(session=session).participant for _ in range(confirmed_only)]
    return came, stayed_away


def test_publishing_emails_each_attendee_once_however_often_it_is_published(
    organiser, mailoutbox, django_capture_on_commit_callbacks
):
    session = _held()
    came, stayed_away = _people(session, attended=2, confirmed_only=1)
    RegistrationFactory(session=session, status=RegistrationStatus.CANCELLED, attended=False)
    summary = _save(session, organiser)
    with django_capture_on_commit_callbacks(execute=True):
        services.summary_publish(summary=summary, organiser=organiser)
    assert {m.to[0] for m in mailoutbox} == {person.email for person in came}
    # Publish twice: refused, nobody emailed again.
    with pytest.raises(SummaryError, match="already published"):
        services.summary_publish(summary=summary, organiser=organiser)
    # Edit (back to a draft) and publish again: no second email.
    with django_capture_on_commit_callbacks(execute=True):
        summary = _save(session, organiser, body="We heard more.")
        assert summary.is_draft
        services.summary_publish(summary=summary, organiser=organiser)
    # The drain and the sweep, twice.
    send_outbound_emails()
    send_outbound_emails()
    assert len(mailoutbox) == 2
    assert OutboundEmail.objects.filter(kind=SESSION_SUMMARY_EMAIL).count() == 2
    email = mailoutbox[0]
    assert session.title not in email.subject
    assert "harm" not in email.subject.lower()
    assert reverse("engagement:session_short_link", args=[session.pk]) in email.body
    assert AuditEvent.objects.filter(action="session_summary.publish").count() == 2


def test_with_attendance_never_taken_the_confirmed_registrants_are_emailed(
    organiser, mailoutbox, django_capture_on_commit_callbacks
):
    session = _held()
    _came, confirmed = _people(session, attended=0, confirmed_only=2)
    RegistrationFactory(session=session, status=RegistrationStatus.WAITLISTED)
    with django_capture_on_commit_callbacks(execute=True):
        services.summary_publish(summary=_save(session, organiser), organiser=organiser)
    assert {m.to[0] for m in mailoutbox} == {person.email for person in confirmed}


def test_a_person_checked_in_counts_as_attended(organiser):
    session = _held()
    checked = RegistrationFactory(session=session, checked_in_at=timezone.now())
    RegistrationFactory(session=session)
    from reports.selectors import summary_attendees

    assert list(summary_attendees(session)) == [checked.participant]


def test_erased_or_inactive_accounts_are_not_emailed(
    organiser, mailoutbox, django_capture_on_commit_callbacks
):
    from accounts.services import account_erase

    session = _held()
    came, _ = _people(session, attended=3)
    came[0].is_active = False
    came[0].save(update_fields=["is_active"])
    account_erase(user=came[1], keep_contributions=True, requested_by=came[1])
    with django_capture_on_commit_callbacks(execute=True):
        services.summary_publish(summary=_save(session, organiser), organiser=organiser)
    assert [m.to[0] for m in mailoutbox] == [came[2].email]


def test_the_email_is_in_the_recipients_language(
    organiser, mailoutbox, django_capture_on_commit_callbacks
):
    session = _held()
    person = RegistrationFactory(session=session, attended=True).participant
    person.preferred_language = "ms"
    person.save(update_fields=["preferred_language"])
    with django_capture_on_commit_callbacks(execute=True):
        services.summary_publish(summary=_save(session, organiser), organiser=organiser)
    from django.utils import translation

    with translation.override("ms"):
        from django.utils.translation import gettext

        subject = gettext("What we heard at a session you joined is now online")
    assert mailoutbox[0].subject == subject


def test_publishing_is_refused_once_the_session_is_cancelled(organiser):
    session = _held()
    summary = _save(session, organiser)
    session.status = SessionStatus.CANCELLED
    session.save(update_fields=["status"])
    with pytest.raises(SummaryError, match="cancelled"):
        services.summary_publish(summary=summary, organiser=organiser)
    assert SessionSummary.objects.get().is_draft


def test_the_service_refuses_a_move_its_table_does_not_list(organiser, monkeypatch):
    from afa_platform.states import Transitions

    summary = _save(_held(), organiser)
    without_publish = Transitions(
        "SessionSummary.status",
        {SessionSummaryStatus.DRAFT: set(), SessionSummaryStatus.PUBLISHED: set()},
        initial={SessionSummaryStatus.DRAFT},
    )
    monkeypatch.setattr(services, "SESSION_SUMMARY_TRANSITIONS", without_publish)
    with pytest.raises(SummaryError):
        services.summary_publish(summary=summary, organiser=organiser)
    assert SESSION_SUMMARY_TRANSITIONS.allowed("draft", "published")


# --- Figures: the engine's, small counts hidden ------------------------------------------


def test_figures_below_the_threshold_are_hidden_and_zero_is_shown(db, settings):
    settings.DISCLOSURE_THRESHOLD = 5
    session = _held()
    for _ in range(3):
        RegistrationFactory(session=session, attended=True)
    for _ in range(3):
        FeedbackFactory(
            session=session,
            harm_categories=["non-consensual-publication"],
            suggestions=["regulation"],
        )
    figures = session_figures(session.pk)
    assert figures["attendance"]["attended"] is None
    assert figures["attendance"]["confirmed"] is None
    assert figures["feedback"] is None
    counts = dict(figures["by_harm"])
    assert None in counts.values() and all(v in (None, 0) for v in counts.values())
    assert all(v in (None, 0) for _k, v in figures["by_area"])


def test_figures_at_or_above_the_threshold_are_shown(db, settings):
    settings.DISCLOSURE_THRESHOLD = 5
    session = _held()
    for _ in range(6):
        RegistrationFactory(session=session, attended=True)
        FeedbackFactory(session=session, harm_categories=["non-consensual-publication"])
    figures = session_figures(session.pk)
    assert figures["attendance"]["attended"] == 6
    assert figures["feedback"] == 6
    from tests.factories import category

    assert dict(figures["by_harm"])[category("non-consensual-publication").pk] == 6


def test_the_page_never_shows_a_count_of_one_to_four(client, organiser, settings):
    settings.DISCLOSURE_THRESHOLD = 5
    session = _held()
    for _ in range(2):
        RegistrationFactory(session=session, attended=True)
        FeedbackFactory(session=session, harm_categories=["non-consensual-publication"])
    services.summary_publish(summary=_save(session, organiser), organiser=organiser)
    html = client.get(session.get_absolute_url()).content.decode()
    figures_html = html.split('data-testid="summary-figures"', 1)[1].split("</section>", 1)[0]
    assert "data-hidden-count" in figures_html
    for small in ("1", "2", "3", "4"):
        assert f">{small}<" not in figures_html and f": {small}<" not in figures_html
        assert f" {small} / " not in figures_html


# --- The session page ----------------------------------------------------------------------


def test_the_session_page_shows_the_published_summary_and_nothing_for_a_draft(client, organiser):
    session = _held()
    idea = IdeaFactory(status=IdeaStatus.APPROVED, session=session, title="A reporting hotline")
    quote = FeedbackFactory(session=session, quote_excerpt="Nobody answered for days.")
    summary = _save(
        session,
        organiser,
        body="# Themes\n\nWe heard *this*.",
        idea_ids=[idea.pk],
        quote_ids=[quote.pk],
    )
    html = client.get(session.get_absolute_url()).content.decode()
    assert 'data-testid="what-we-heard"' not in html
    services.summary_publish(summary=summary, organiser=organiser)
    html = client.get(session.get_absolute_url()).content.decode()
    assert 'data-testid="what-we-heard"' in html
    assert "<h3>Themes</h3>" in html and "<em>this</em>" in html
    assert "A reporting hotline" in html
    assert "Nobody answered for days." in html


def test_an_idea_hidden_after_publishing_leaves_the_page(client, organiser):
    session = _held()
    idea = IdeaFactory(status=IdeaStatus.APPROVED, session=session, title="Soon hidden idea")
    services.summary_publish(
        summary=_save(session, organiser, idea_ids=[idea.pk]), organiser=organiser
    )
    idea.status = IdeaStatus.HIDDEN
    idea.save(update_fields=["status"])
    assert "Soon hidden idea" not in client.get(session.get_absolute_url()).content.decode()


def test_a_quote_withdrawn_after_publishing_disappears_from_the_summary(
    client, organiser, django_capture_on_commit_callbacks
):
    session = _held()
    quote = FeedbackFactory(session=session, quote_excerpt="Please quote me on this.")
    services.summary_publish(
        summary=_save(session, organiser, quote_ids=[quote.pk]), organiser=organiser
    )
    assert "Please quote me on this." in client.get(session.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        feedback_services.feedback_withdraw_quote_consent(
            feedback=quote, participant=quote.participant
        )
    assert not SessionSummary.objects.get().quotes.exists()
    assert "Please quote me on this." not in client.get(session.get_absolute_url()).content.decode()


def test_markdown_with_script_is_rendered_inert(client, organiser):
    session = _held()
    body = (
        '<script>alert("x")</script>\n\n[click](javascript:alert(1)) '
        '<iframe src="https://evil.example"></iframe> <style>body{}</style>'
    )
    services.summary_publish(summary=_save(session, organiser, body=body), organiser=organiser)
    html = client.get(session.get_absolute_url()).content.decode()
    section = html.split('data-testid="what-we-heard"', 1)[1].split("</section>", 1)[0]
    assert "<script" not in section and "<iframe" not in section and "<style" not in section
    assert 'href="javascript:' not in section
    assert "&lt;script&gt;" in section  # shown as text, not lost
    client.force_login(organiser)
    preview = client.get(_preview_url(session)).content.decode()
    assert 'data-testid="summary-has-html"' in preview
    assert "they are shown as typed and never run" in preview


def test_the_session_page_query_count_is_flat(client, organiser, django_assert_num_queries):
    def page_queries(session) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(session.get_absolute_url()).status_code == 200
        return len(queries)

    small = _held()
    idea = IdeaFactory(status=IdeaStatus.APPROVED, session=small)
    quote = FeedbackFactory(session=small, quote_excerpt="One.")
    services.summary_publish(
        summary=_save(small, organiser, idea_ids=[idea.pk], quote_ids=[quote.pk]),
        organiser=organiser,
    )
    big = _held()
    ideas = [IdeaFactory(status=IdeaStatus.APPROVED, session=big) for _ in range(8)]
    quotes = [FeedbackFactory(session=big, quote_excerpt=f"Quote {n}.") for n in range(8)]
    services.summary_publish(
        summary=_save(
            big, organiser, idea_ids=[i.pk for i in ideas], quote_ids=[q.pk for q in quotes]
        ),
        organiser=organiser,
    )
    page_queries(small)  # warm caches (content languages, support resources)
    assert page_queries(small) == page_queries(big)


# --- The organisers' pages -------------------------------------------------------------------


def test_the_roster_links_to_what_we_heard_once_the_session_is_over(client, organiser):
    client.force_login(organiser)
    held, upcoming = _held(), EngagementSessionFactory()
    roster = reverse("engagement:console_roster", args=[held.pk])
    assert _edit_url(held) in client.get(roster).content.decode()
    roster = reverse("engagement:console_roster", args=[upcoming.pk])
    assert _edit_url(upcoming) not in client.get(roster).content.decode()


def test_the_form_writes_previews_and_publishes(
    client, organiser, mailoutbox, django_capture_on_commit_callbacks
):
    session = _held()
    RegistrationFactory(session=session, attended=True)
    idea = IdeaFactory(status=IdeaStatus.APPROVED, session=session)
    client.force_login(organiser)
    assert client.get(_edit_url(session)).status_code == 200
    response = client.post(_edit_url(session), {"body": "We heard you.", "ideas": [idea.pk]})
    assert response.status_code == 302 and response.url == _preview_url(session)
    preview = client.get(_preview_url(session)).content.decode()
    assert "We heard you." in preview and _publish_url(session) in preview
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_publish_url(session))
    assert response.status_code == 302 and response.url == session.get_absolute_url()
    assert SessionSummary.objects.get().is_published
    assert len(mailoutbox) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"body": "x" * (SESSION_SUMMARY_BODY_MAX + 1)}, "at most 20000 characters"),
        ({"body": "  "}, "Write what you heard"),
        ({"body": "Fine.", "ideas": ["999999"]}, "not a published idea"),
        ({"body": "Fine.", "quotes": ["999999"]}, "approved in the quote review"),
        ({"body": "Fine.", "ideas": ["nonsense"]}, "not a published idea"),
    ],
)
def test_bad_input_gets_a_clear_message_and_keeps_what_was_typed(client, organiser, data, message):
    session = _held()
    client.force_login(organiser)
    response = client.post(_edit_url(session), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    if data["body"].strip():
        assert data["body"][:50] in html
    assert not SessionSummary.objects.exists()


def test_a_megabyte_of_text_is_refused_with_a_message_not_an_error(client, organiser):
    session = _held()
    client.force_login(organiser)
    response = client.post(_edit_url(session), {"body": "a" * 1_000_000})
    assert response.status_code == 400
    assert "at most 20000 characters" in response.content.decode()


def test_a_hidden_idea_is_not_offered_on_the_form(client, organiser):
    session = _held()
    shown = IdeaFactory(status=IdeaStatus.APPROVED, session=session, title="Offered idea")
    IdeaFactory(status=IdeaStatus.HIDDEN, session=session, title="Hidden idea")
    IdeaFactory(status=IdeaStatus.SUBMITTED, session=session, title="Pending idea")
    client.force_login(organiser)
    html = client.get(_edit_url(session)).content.decode()
    assert shown.title in html
    assert "Hidden idea" not in html and "Pending idea" not in html


def test_the_form_for_a_session_not_held_says_why(client, organiser):
    client.force_login(organiser)
    session = EngagementSessionFactory()
    response = client.get(_edit_url(session))
    assert response.status_code == 200
    assert "once the session is over" in response.content.decode()
    assert client.post(_edit_url(session), {"body": "Hi"}).status_code == 409
    assert not SessionSummary.objects.exists()


def test_a_draft_is_visible_only_in_the_organisers_preview(client, organiser, participant):
    session = _held()
    _save(session, organiser, body="Secret draft words.")
    client.force_login(participant)
    assert "Secret draft words." not in client.get(session.get_absolute_url()).content.decode()
    assert client.get(_preview_url(session)).status_code == 403
    client.force_login(organiser)
    assert "Secret draft words." in client.get(_preview_url(session)).content.decode()


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", "login"),
        ("participant", 403),
        ("organiser", "ok"),
        # Every organiser who may open the roster may write its summary.
        ("other_organiser", "ok"),
        ("staff", 403),
        ("admin_user", "ok"),
        ("organiser_without_mfa", "mfa"),
    ],
)
def test_role_matrix_of_the_organisers_pages(db, client, request, role, expected):
    organiser = request.getfixturevalue("organiser")
    session = _held(created_by=organiser)
    SessionSummaryFactory(session=session)
    if role != "anonymous":
        user = request.getfixturevalue(role)
        client.force_login(user, second_factor=role != "organiser_without_mfa")
    for method, url, data in (
        ("get", _edit_url(session), None),
        ("get", _preview_url(session), None),
        ("post", _edit_url(session), {"body": "Edited."}),
        ("post", _publish_url(session), {}),
    ):
        response = getattr(client, method)(url, data)
        if expected == "login":
            assert response.status_code == 302
            assert response.url.startswith(reverse("account_login"))
        elif expected == "mfa":
            assert response.status_code == 302
            assert response.url == reverse("mfa_activate_totp")
        elif expected == "ok":
            assert response.status_code in (200, 302)
        else:
            assert response.status_code == expected
    published = SessionSummary.objects.get().is_published
    assert published == (expected == "ok")


@pytest.mark.parametrize(
    "role",
    ["anonymous", "participant", "organiser", "other_organiser", "staff", "admin_user"],
)
def test_role_matrix_of_the_public_part_everyone_sees_the_published_summary_only(
    db, client, request, role
):
    organiser = request.getfixturevalue("organiser")
    published = _held(created_by=organiser)
    services.summary_publish(
        summary=_save(published, organiser, body="Public words."), organiser=organiser
    )
    draft = _held(created_by=organiser)
    _save(draft, organiser, body="Draft words.")
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    assert "Public words." in client.get(published.get_absolute_url()).content.decode()
    assert "Draft words." not in client.get(draft.get_absolute_url()).content.decode()


def test_an_unknown_session_is_a_404(client, organiser):
    client.force_login(organiser)
    assert client.get(reverse("reports:session_summary_edit", args=[999999])).status_code == 404


# --- Demo --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_demo_publishes_what_we_heard_for_a_held_session(client, settings):
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent: kept, not duplicated
    summary = SessionSummary.objects.select_related("session").get()
    assert summary.is_published and summary.session.is_past
    # 11 came: shown only if those who did not come are not a small count either.
    assert summary.figures["attendance"]["attended"] in (None, 11)
    assert summary.figures["feedback"] is None or summary.figures["feedback"] >= 5
    html = client.get(summary.session.get_absolute_url()).content.decode()
    assert 'data-testid="what-we-heard"' in html
    for quote in summary.quotes.all():
        assert quote.quote_excerpt in html


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_organisers_publishing_at_once_email_each_attendee_once(organiser, other_organiser):
    from tests.threads import run_at_once

    session = _held()
    _people(session, attended=3)
    summary = _save(session, organiser)
    results, errors = run_at_once(
        [
            lambda: services.summary_publish(summary=summary, organiser=organiser),
            lambda: services.summary_publish(summary=summary, organiser=other_organiser),
        ],
        refusals=(SummaryError,),
    )
    assert errors == []
    assert sum(isinstance(result, SummaryError) for result in results) == 1
    assert OutboundEmail.objects.filter(kind=SESSION_SUMMARY_EMAIL).count() == 3
