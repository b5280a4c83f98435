"""Feedback pages: the role matrix (only the author and MCI staff see feedback; organisers
see quotes to review), the forms, the personal-data warning and page query counts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from feedback import services
from feedback.models import Feedback, QuoteStatus
from harms.models import HarmCategory, SolutionArea
from tests.factories import (
    EngagementSessionFactory,
    FeedbackFactory,
    RegistrationFactory,
    SupportResourceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "participant", "other_participant", "organiser", "staff"]


@pytest.fixture
def as_role(client, request):
    def _as(role):
        if role != "anonymous":
            client.force_login(request.getfixturevalue(role))
        return client

    return _as


@pytest.fixture
def feedback(participant):
    return services.feedback_create(
        participant=participant,
        details=services.FeedbackDetails(
            harm_categories=[HarmCategory.objects.get(slug="doxxing")],
            experience="Private words only the author and staff may read.",
            quote_consent=True,
        ),
    )


def _status(response) -> int | str:
    if response.status_code == 302 and response.url.startswith(reverse("account_login")):
        return "login"
    return response.status_code


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", "login"),
        ("participant", 200),
        ("other_participant", 404),
        ("organiser", 404),
        ("staff", 200),
    ],
)
def test_only_the_author_and_staff_see_a_feedback(role, expected, as_role, feedback):
    response = as_role(role).get(reverse("feedback:detail", args=[feedback.pk]))
    assert _status(response) == expected
    if expected == 200:
        assert "Private words" in response.content.decode()


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", "login"),
        ("participant", 200),
        ("other_participant", 404),
        ("organiser", 404),
        ("staff", 404),
    ],
)
@pytest.mark.parametrize("name", ["edit", "delete"])
def test_only_the_author_may_change_or_delete(role, expected, name, as_role, feedback):
    response = as_role(role).get(reverse(f"feedback:{name}", args=[feedback.pk]))
    assert _status(response) == expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", "login"),
        ("participant", 302),
        ("other_participant", 404),
        ("organiser", 404),
        ("staff", 404),
    ],
)
def test_only_the_author_may_withdraw_quote_consent(role, expected, as_role, feedback):
    response = as_role(role).post(reverse("feedback:withdraw_quote", args=[feedback.pk]))
    assert _status(response) == expected
    feedback.refresh_from_db()
    assert feedback.quote_consent is (expected != 302)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", "login"),
        ("participant", 200),
        ("other_participant", 200),
        ("organiser", 200),
        ("staff", 200),
    ],
)
def test_my_feedback_and_the_form_need_sign_in_and_show_only_mine(
    role, expected, as_role, feedback
):
    client = as_role(role)
    home = client.get(reverse("feedback:home"))
    assert _status(home) == expected
    assert _status(client.get(reverse("feedback:new"))) == expected
    if expected == 200:
        assert (reverse("feedback:detail", args=[feedback.pk]) in home.content.decode()) is (
            role == "participant"
        )


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", "login"),
        ("participant", 403),
        ("other_participant", 403),
        ("organiser", 403),
        ("staff", 200),
    ],
)
def test_all_feedback_is_for_staff(role, expected, as_role, feedback):
    assert _status(as_role(role).get(reverse("feedback:all"))) == expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", "login"),
        ("participant", 403),
        ("other_participant", 403),
        ("organiser", 200),
        ("staff", 403),
    ],
)
def test_quote_review_is_for_organisers(role, expected, as_role, feedback):
    client = as_role(role)
    assert _status(client.get(reverse("feedback:quote_queue"))) == expected
    review = client.get(reverse("feedback:quote_review", args=[feedback.pk]))
    assert _status(review) == expected
    if expected == 200:
        page = review.content.decode()
        assert "Private words" in page  # the text to excerpt...
        assert feedback.participant.display_name not in page  # ...never who wrote it
        assert feedback.participant.email not in page


def test_a_quote_no_longer_pending_is_not_found_in_review(client, organiser, feedback):
    Feedback.objects.filter(pk=feedback.pk).update(
        quote_consent=False, quote_status=QuoteStatus.WITHDRAWN
    )
    client.force_login(organiser)
    assert client.get(reverse("feedback:quote_review", args=[feedback.pk])).status_code == 404


# --- Forms ----------------------------------------------------------------------------------


def _form_data(**overrides):
    data = {
        "harm_categories": [HarmCategory.objects.get(slug="doxxing").pk],
        "experience": "I saw a photo shared without consent.",
        "suggestion_regulation": "Make platforms respond within a day.",
        "share_anonymously": "on",
        "quote_consent": "on",
    }
    data.update(overrides)
    return data


def test_participant_gives_general_feedback_through_the_form(client, participant):
    client.force_login(participant)
    response = client.post(reverse("feedback:new"), _form_data())
    feedback = Feedback.objects.get(participant=participant)
    assert response.status_code == 302
    assert response.url == feedback.get_absolute_url()
    assert feedback.quote_status == QuoteStatus.PENDING
    assert feedback.suggestions.get().solution_area == SolutionArea.objects.get(slug="regulation")


def test_personal_data_is_flagged_before_sending_and_sent_once_confirmed(client, participant):
    client.force_login(participant)
    data = _form_data(experience="He is my colleague John Tan, his number is 9123 4567.")
    warned = client.post(reverse("feedback:new"), data)
    assert warned.status_code == 400
    page = warned.content.decode()
    assert (
        "What you have seen or experienced seems to include a name of another person "
        "(“John Tan”) and a phone number (“9123 4567”)"
    ) in page
    assert not Feedback.objects.exists()

    sent = client.post(reverse("feedback:new"), {**data, "confirm_personal_data": "on"})
    assert sent.status_code == 302
    assert Feedback.objects.get().personal_data_kinds == ["name", "phone"]


@pytest.mark.parametrize(
    "data",
    [
        {"harm_categories": []},
        {"harm_categories": ["999999"]},
        {"experience": "", "suggestion_regulation": ""},
        {"experience": "x" * 5000},
    ],
)
def test_bad_input_gets_a_message_not_an_error(client, participant, data):
    client.force_login(participant)
    response = client.post(reverse("feedback:new"), _form_data(**data))
    assert response.status_code == 400
    assert "data-error-summary" in response.content.decode()
    assert not Feedback.objects.exists()


def test_session_feedback_form_rates_and_sends_once(client, participant):
    session = EngagementSessionFactory(starts_at=timezone.now() - timedelta(hours=3))
    RegistrationFactory(session=session, participant=participant)
    client.force_login(participant)
    url = reverse("feedback:session_new", args=[session.slug])
    assert "How useful was the session?" in client.get(url).content.decode()
    assert client.post(url, _form_data(rating="5")).status_code == 302
    feedback = Feedback.objects.get()
    assert (feedback.session, feedback.rating) == (session, 5)
    # Coming back leads to editing it, not to a second one.
    again = client.get(url)
    assert again.status_code == 302
    assert again.url == reverse("feedback:edit", args=[feedback.pk])


def test_session_feedback_is_offered_only_to_confirmed_registrants(client, participant):
    session = EngagementSessionFactory(starts_at=timezone.now() - timedelta(hours=3))
    client.force_login(participant)
    response = client.get(reverse("feedback:session_new", args=[session.slug]))
    assert response.status_code == 302
    assert response.url == reverse("feedback:home")


def test_author_edits_and_deletes_their_feedback(client, participant, feedback):
    client.force_login(participant)
    edit = reverse("feedback:edit", args=[feedback.pk])
    assert client.post(edit, _form_data(experience="Changed my mind.")).status_code == 302
    feedback.refresh_from_db()
    assert feedback.experience == "Changed my mind."
    assert client.post(reverse("feedback:delete", args=[feedback.pk])).status_code == 302
    assert not Feedback.objects.exists()


def test_organiser_approves_an_excerpt_through_the_review_page(client, organiser, feedback):
    client.force_login(organiser)
    url = reverse("feedback:quote_review", args=[feedback.pk])
    refused = client.post(url, {"decision": "approve", "excerpt": "Email me at a@b.sg"})
    assert refused.status_code == 400
    assert "an email address" in refused.content.decode()
    reworded = client.post(url, {"decision": "approve", "excerpt": "Public words [...]"})
    assert reworded.status_code == 400
    assert "is not in what they wrote" in reworded.content.decode()
    response = client.post(url, {"decision": "approve", "excerpt": "Private words [...]"})
    assert response.status_code == 302
    feedback.refresh_from_db()
    assert feedback.quote_status == QuoteStatus.APPROVED
    assert AuditEvent.objects.filter(action="quote.approve").count() == 1


def test_organiser_declines_a_quote_with_a_reason(client, organiser, feedback):
    client.force_login(organiser)
    url = reverse("feedback:quote_review", args=[feedback.pk])
    assert client.post(url, {"decision": "reject", "reason": ""}).status_code == 400
    assert client.post(url, {"decision": "reject", "reason": "Identifying"}).status_code == 302
    feedback.refresh_from_db()
    assert feedback.quote_status == QuoteStatus.REJECTED


# --- Query counts ---------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


def _many_feedback(participant, n):
    from tests.factories import sgt

    for i in range(n):
        FeedbackFactory(
            participant=participant,
            created_at=sgt(2026, 11, 3, 9, i % 60),
            harm_categories=["doxxing", "cyberstalking"],
            suggestions=["regulation", "partnerships"],
            quote_status=QuoteStatus.PENDING,
        )


@pytest.mark.parametrize(
    ("role", "url_name"),
    [("participant", "home"), ("staff", "all"), ("organiser", "quote_queue")],
)
def test_list_pages_cost_the_same_queries_for_one_or_many(client, request, role, url_name):
    user = request.getfixturevalue(role)
    author = request.getfixturevalue("participant")
    client.force_login(user)
    url = reverse(f"feedback:{url_name}")
    _many_feedback(author, 1)
    few = _queries(client, url)
    _many_feedback(author, 30)
    assert _queries(client, url) == few
    other = UserFactory()
    _many_feedback(other, 1)
    assert _queries(client, url) == few


def test_moderation_queue_counts_quotes_waiting_and_links_to_them(client, organiser, feedback):
    client.force_login(organiser)
    page = client.get("/moderation/").content.decode()
    assert "1 feedback quote waiting" in page
    assert reverse("feedback:quote_queue") in page


def test_staff_navigation_links_to_all_feedback(client, staff):
    client.force_login(staff)
    assert reverse("feedback:all") in client.get("/").content.decode()


def test_signed_in_navigation_links_to_my_feedback(client, participant):
    assert reverse("feedback:home") not in client.get("/").content.decode()
    client.force_login(participant)
    assert reverse("feedback:home") in client.get("/").content.decode()


@pytest.mark.parametrize("url_name", ["new", "edit"])
def test_the_experience_field_has_a_content_warning_and_support_beside_it(
    client, participant, feedback, url_name
):

    SupportResourceFactory(
        name="Helpline for women", description="Listens, any hour.", phone="1800 000 0000"
    )
    client.force_login(participant)
    args = [feedback.pk] if url_name == "edit" else []
    page = client.get(reverse(f"feedback:{url_name}", args=args)).content.decode()
    warning = page.index('id="experience-warning"')
    assert "Content warning:" in page[warning : warning + 200]
    assert 'name="experience"' in page[warning:]
    support = page.index('aria-labelledby="support-heading"')
    assert "Helpline for women" in page[support:]
    assert 'href="tel:18000000000"' in page[support:]
    assert reverse("support") in page[support:]


def test_after_its_digest_period_closes_feedback_cannot_be_changed_but_can_be_withdrawn(
    client, participant, feedback
):
    Feedback.objects.filter(pk=feedback.pk).update(
        editable_until=timezone.now() - timedelta(seconds=1)
    )
    client.force_login(participant)
    edit_url = reverse("feedback:edit", args=[feedback.pk])
    assert client.get(edit_url).url == feedback.get_absolute_url()
    posted = client.post(edit_url, _form_data(experience="Changed too late."), follow=True)
    assert "can no longer be changed" in posted.content.decode()
    feedback.refresh_from_db()
    assert feedback.experience == "Private words only the author and staff may read."

    detail = client.get(feedback.get_absolute_url()).content.decode()
    assert edit_url not in detail
    assert reverse("feedback:withdraw_quote", args=[feedback.pk]) in detail
    client.post(reverse("feedback:withdraw_quote", args=[feedback.pk]))
    feedback.refresh_from_db()
    assert feedback.quote_status == QuoteStatus.WITHDRAWN
    client.post(reverse("feedback:delete", args=[feedback.pk]))
    assert not Feedback.objects.filter(pk=feedback.pk).exists()
