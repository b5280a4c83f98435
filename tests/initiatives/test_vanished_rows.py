"""An idea or comment deleted between the page's fetch and the service's lock (its author's
account deleted meanwhile, say) is a refusal the person can read, never a server error."""

import pytest

from initiatives import services
from initiatives.models import Comment, Idea, IdeaStatus, ReportReason
from tests.factories import CommentFactory, IdeaFactory, UserFactory

pytestmark = pytest.mark.django_db


def _deleted_behind_its_back(row):
    """`row` as the view read it, after someone else deleted it."""
    type(row).objects.filter(pk=row.pk).delete()
    return row


def _fields(idea: Idea) -> services.IdeaFields:
    return services.IdeaFields(
        title="Workshops in every school",
        body="Short workshops on image consent.",
        harm_category=idea.harm_category,
        solution_area=idea.solution_area,
        session=None,
        is_anonymous=False,
        has_content_warning=False,
        content_warning_note="",
    )


IDEA_CALLS = {
    "update": lambda idea, who: services.idea_update(
        idea=idea, author=idea.author, fields=_fields(idea), submit=False
    ),
    "submit": lambda idea, who: services.idea_submit(idea=idea, author=idea.author),
    "withdraw": lambda idea, who: services.idea_withdraw(idea=idea, author=idea.author),
    "content_warning": lambda idea, who: services.idea_set_content_warning(
        idea=idea, moderator=who, has_content_warning=True, note="Describes abuse."
    ),
    "redact": lambda idea, who: services.idea_redact(
        idea=idea, moderator=who, passage="every secondary school", reason="Identifies"
    ),
    "report": lambda idea, who: services.report_create(
        reporter=UserFactory(), reason=ReportReason.SPAM, idea=idea
    ),
}


@pytest.mark.parametrize("call", IDEA_CALLS.values(), ids=IDEA_CALLS.keys())
def test_an_idea_service_given_a_deleted_idea_refuses(organiser, call):
    stale = _deleted_behind_its_back(IdeaFactory(status=IdeaStatus.DRAFT))
    with pytest.raises(services.IdeaError, match="This idea no longer exists"):
        call(stale, organiser)


COMMENT_CALLS = {
    "redact": lambda comment, who: services.comment_redact(
        comment=comment, moderator=who, passage="My daughter's school", reason="Identifies"
    ),
    "report": lambda comment, who: services.report_create(
        reporter=UserFactory(), reason=ReportReason.SPAM, comment=comment
    ),
}


@pytest.mark.parametrize("call", COMMENT_CALLS.values(), ids=COMMENT_CALLS.keys())
def test_a_comment_service_given_a_deleted_comment_refuses(organiser, call):
    stale = _deleted_behind_its_back(CommentFactory())
    with pytest.raises(services.IdeaError, match="This comment no longer exists"):
        call(stale, organiser)
    assert not Comment.objects.filter(pk=stale.pk).exists()
