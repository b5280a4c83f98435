"""Who may see and change ideas, comments and initiatives. Views fetch through these
helpers: what a user may not see is a 404, so its existence is not revealed."""

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.permissions import is_organiser

from .models import Comment, CommentStatus, Idea, IdeaStatus, Initiative

PUBLIC_STATUSES = (IdeaStatus.APPROVED, IdeaStatus.MERGED)


def can_moderate(user) -> bool:
    return is_organiser(user)


def visible_ideas(user) -> QuerySet[Idea]:
    """Public ideas for everyone; plus one's own in any status; everything for organisers."""
    ideas = Idea.objects.all()
    if can_moderate(user):
        return ideas
    if user.is_authenticated:
        return ideas.filter(Q(status__in=PUBLIC_STATUSES) | Q(author=user))
    return ideas.filter(status__in=PUBLIC_STATUSES)


def get_idea_for_user(user, pk, *, write: bool = False) -> Idea:
    """The idea `user` may see (or, with write=True, edit as its author), else 404."""
    if write and not user.is_authenticated:
        raise Http404
    ideas = Idea.objects.filter(author=user) if write else visible_ideas(user)
    idea = (
        ideas.select_related(
            "author", "harm_category", "solution_area", "session", "merged_into", "decided_by"
        )
        .filter(pk=pk)
        .first()
    )
    if idea is None:
        raise Http404
    return idea


def get_comment_for_user(user, pk) -> Comment:
    """A comment on an idea the user may see, that the user may see."""
    comment = Comment.objects.select_related("idea", "author").filter(pk=pk).first()
    if comment is None or not visible_ideas(user).filter(pk=comment.idea_id).exists():
        raise Http404
    if comment.status == CommentStatus.PENDING and not (
        can_moderate(user) or comment.author_id == getattr(user, "pk", None)
    ):
        raise Http404
    return comment


def can_see_author(user, author_id: int) -> bool:
    """Organisers and the author themselves see who wrote anonymous content."""
    return can_moderate(user) or (user.is_authenticated and user.pk == author_id)


def can_post_update(user, initiative: Initiative, lead_ids: set[int]) -> bool:
    return can_moderate(user) or (user.is_authenticated and user.pk in lead_ids)
