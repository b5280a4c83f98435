"""A row deleted between the page's fetch and the service's lock (another tab, an account
deleted meanwhile) is a refusal the person can read, never a server error."""

from unittest import mock

import pytest

from feedback import permissions
from feedback import services as feedback
from feedback.models import Feedback
from harms.models import HarmCategory

pytestmark = pytest.mark.django_db


def _feedback_of(participant) -> Feedback:
    return feedback.feedback_create(
        participant=participant,
        details=feedback.FeedbackDetails(
            harm_categories=[HarmCategory.objects.get(slug="doxxing")],
            experience="Someone posted my old address.",
            quote_consent=True,
        ),
    )


def _deleted_behind_its_back(row):
    """`row` as the view read it, after someone else deleted it."""
    type(row).objects.filter(pk=row.pk).delete()
    return row


@pytest.mark.parametrize(
    "call",
    [
        lambda stale, who: feedback.feedback_update(
            feedback=stale,
            participant=who,
            details=feedback.FeedbackDetails(
                harm_categories=[HarmCategory.objects.get(slug="doxxing")], experience="New."
            ),
        ),
        lambda stale, who: feedback.feedback_withdraw_quote_consent(
            feedback=stale, participant=who
        ),
        lambda stale, who: feedback.feedback_delete(feedback=stale, participant=who),
    ],
    ids=["update", "withdraw_quote", "delete"],
)
def test_a_feedback_service_given_deleted_feedback_says_it_was_deleted(participant, call):
    stale = _deleted_behind_its_back(_feedback_of(participant))
    with pytest.raises(feedback.FeedbackGone, match="This feedback was deleted"):
        call(stale, participant)


def _edit_form() -> dict:
    return {
        "harm_categories": [HarmCategory.objects.get(slug="doxxing").pk],
        "experience": "Changed my mind about what I saw.",
        "share_anonymously": "on",
    }


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/feedback/{pk}/edit/", _edit_form),
        ("/feedback/{pk}/withdraw-quote/", dict),
        ("/feedback/{pk}/delete/", dict),
    ],
    ids=["edit", "withdraw_quote", "delete"],
)
def test_acting_on_feedback_deleted_in_another_tab_says_so_instead_of_a_server_error(
    client, participant, url, data
):
    given = _feedback_of(participant)
    client.force_login(participant)
    page_fetch = permissions.get_feedback_for_owner

    def fetch_then_deleted(user, pk):
        return _deleted_behind_its_back(page_fetch(user, pk))

    with mock.patch("feedback.views.get_feedback_for_owner", side_effect=fetch_then_deleted):
        response = client.post(url.format(pk=given.pk), data(), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/feedback/"
    assert "This feedback was deleted." in response.content.decode()
