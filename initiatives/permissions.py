"""Who may see and change ideas, comments and initiatives. Views fetch through these
helpers: what a user may not see is a 404, so its existence is not revealed."""

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.permissions import holds_role, is_organiser
from accounts.roles import Role

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


# --- The working draft ------------------------------------------------------------------


def holds_organiser_role(user) -> bool:
    """An organiser or administrator account, whatever this request's sign-in: what a
    service asks (the views ask can_moderate, which also wants the second factor)."""
    return user.is_authenticated and (user.is_superuser or holds_role(user, Role.ORGANISER))


def can_write_draft(user, initiative: Initiative, *, in_service: bool = False) -> bool:
    """Who reads, edits and comments on an initiative's working draft: its co-creators, its
    leads, organisers and administrators (can_moderate). Everyone else sees only the
    published version, on the initiative page."""
    if not user.is_authenticated:
        return False
    if holds_organiser_role(user) if in_service else can_moderate(user):
        return True
    return (
        initiative.leads.filter(pk=user.pk).exists()
        or initiative.cocreators.filter(user=user).exists()
    )


def can_publish_draft(user, initiative: Initiative, *, in_service: bool = False) -> bool:
    """Publishing a version as the public text, and restoring an old one: organisers and
    administrators, and the initiative's leads."""
    if not user.is_authenticated:
        return False
    organiser = holds_organiser_role(user) if in_service else can_moderate(user)
    return organiser or initiative.leads.filter(pk=user.pk).exists()


def get_initiative_draft_for_user(user, slug: str) -> Initiative:
    """The initiative whose working draft `user` may read and write, else 404."""
    initiative = Initiative.objects.filter(slug=slug).select_related("published_version").first()
    if initiative is None or not can_write_draft(user, initiative):
        raise Http404
    return initiative
