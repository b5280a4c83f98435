"""What erasing an account does to ideas, comments, supports, reports and initiatives
(accounts.erasure; registered in InitiativesConfig.ready())."""

from accounts.erasure import Erasure, declare_safe, erasure_step

from .models import (
    DRAFT_SECTIONS,
    TITLE_MAX,
    Comment,
    DraftComment,
    DraftVersion,
    Follow,
    Idea,
    IdeaStatus,
    Mute,
    PersonReport,
    Report,
    Support,
)
from .services import cocreator_leave, idea_support_set

for key, why in {
    "initiatives.Idea.decided_by": "the moderator who decided an idea",
    "initiatives.Report.resolved_by": "the moderator who resolved a report",
    "initiatives.PersonReport.resolved_by": "the organiser who closed a report about a person",
    "initiatives.ModerationLog.actor": "who acted, in the append-only moderation log",
    "initiatives.Initiative.created_by": "the organiser who started an initiative",
    "initiatives.InitiativeUpdate.author": "the lead who posted an update in the initiative's name",
}.items():
    declare_safe(key, why=f"{why}; afterwards it points at a pseudonym only")


@erasure_step(covers=["initiatives.Idea.author", "initiatives.Comment.author"])
def ideas_and_comments(erasure: Erasure) -> None:
    """Kept: each idea and comment is shown as "Anonymous participant" from now on, with the
    old email and display name taken out of its text; drafts, which nobody else ever saw,
    go. Not kept: all are deleted (with the replies and reports on a deleted idea; the
    moderation log keeps its ids, its idea key set to NULL)."""
    user = erasure.user
    ideas = Idea.objects.filter(author=user)
    comments = Comment.objects.filter(author=user)
    if not erasure.keep_contributions:
        comments.delete()
        ideas.delete()
        return
    ideas.filter(status=IdeaStatus.DRAFT).delete()
    for idea in ideas.only("pk", "title", "body", "content_warning_note"):
        # The pseudonym may be longer than what it replaces.
        idea.title = erasure.scrub(idea.title)[:TITLE_MAX]
        idea.body = erasure.scrub(idea.body)
        idea.content_warning_note = erasure.scrub(idea.content_warning_note)[
            : Idea._meta.get_field("content_warning_note").max_length
        ]
        idea.is_anonymous = True
        idea.save(update_fields=["title", "body", "content_warning_note", "is_anonymous"])
    for comment in comments.only("pk", "body"):
        comment.body = erasure.scrub(comment.body)
        comment.is_anonymous = True
        comment.save(update_fields=["body", "is_anonymous"])


@erasure_step(covers=["initiatives.Support.user"])
def remove_supports(erasure: Erasure) -> None:
    """Each as the person would take it back: the idea's count goes down with it."""
    for support in Support.objects.filter(user=erasure.user).select_related("idea"):
        idea_support_set(idea=support.idea, user=erasure.user, supported=False)


@erasure_step(covers=["initiatives.Report.reporter"])
def anonymise_reports(erasure: Erasure) -> None:
    """A report stays (moderation decided on it) without the note the person wrote."""
    Report.objects.filter(reporter=erasure.user).exclude(note="").update(note="")


@erasure_step(covers=["initiatives.PersonReport.reporter", "initiatives.PersonReport.person"])
def anonymise_person_reports(erasure: Erasure) -> None:
    """Reports about a person stay (an organiser may have acted on them) without the notes:
    the reporter's own words about the erased person or by the erased reporter."""
    PersonReport.objects.filter(reporter=erasure.user).exclude(note="").update(note="")
    PersonReport.objects.filter(person=erasure.user).exclude(note="").update(note="")


@erasure_step(covers=["initiatives.Mute.user", "initiatives.Mute.muted"])
def remove_mutes(erasure: Erasure) -> None:
    """Whom the person hid, and who hid them: nothing worth keeping."""
    Mute.objects.filter(user=erasure.user).delete()
    Mute.objects.filter(muted=erasure.user).delete()


@erasure_step(covers=["initiatives.Follow.user"])
def remove_follows(erasure: Erasure) -> None:
    """What the person followed: nothing worth keeping, and no digest goes to them again."""
    Follow.objects.filter(user=erasure.user).delete()


@erasure_step(covers=["initiatives.CoCreator.user", "initiatives.Initiative.leads"])
def leave_initiatives(erasure: Erasure) -> None:
    user = erasure.user
    for cocreation in user.cocreations.select_related("initiative"):
        cocreator_leave(initiative=cocreation.initiative, user=user)
    user.led_initiatives.clear()


@erasure_step(covers=["initiatives.DraftVersion.author", "initiatives.DraftComment.author"])
def draft_versions_and_comments(erasure: Erasure) -> None:
    """A version of an initiative's draft is the co-creators' shared text, so it stays,
    without its author: shown as "Anonymous participant", its note and the old email and
    name taken out. Comments on the draft are the person's own: kept, they are shown as
    "Anonymous participant" with the old email and name taken out; not kept, deleted."""
    user = erasure.user
    for version in DraftVersion.objects.filter(author=user).only("pk", "note", *DRAFT_SECTIONS):
        for section in DRAFT_SECTIONS:
            setattr(version, section, erasure.scrub(getattr(version, section)))
        version.note = ""
        version.author = None
        version.author_anonymous = True
        version.save(update_fields=[*DRAFT_SECTIONS, "note", "author", "author_anonymous"])
    comments = DraftComment.objects.filter(author=user)
    if not erasure.keep_contributions:
        comments.delete()
        return
    for comment in comments.only("pk", "body"):
        comment.body = erasure.scrub(comment.body)
        comment.author_anonymous = True
        comment.save(update_fields=["body", "author_anonymous"])
