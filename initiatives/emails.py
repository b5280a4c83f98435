"""How the initiatives app's outbound emails are rendered (outbox.registry), at send time from
ids. Services write the rows (outbox.services.email_queue) in the transaction of the change;
the outbox sends each once. Subjects are discreet: they never name a harm or quote the
content."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outbox.registry import Message, register

from .follow_links import unsubscribe_url
from .models import (
    Comment,
    Follow,
    FollowNotice,
    FollowNoticeKind,
    Idea,
    IdeaStatus,
    InitiativeUpdate,
    ModerationLog,
    PersonReport,
    Report,
    TargetKind,
)

MODERATION_NOTICE = "initiatives.moderation_notice"
REPORT_ACKNOWLEDGEMENT = "initiatives.report_acknowledgement"
INITIATIVE_UPDATE = "initiatives.initiative_update"
PERSON_REPORT_ACKNOWLEDGEMENT = "initiatives.person_report_acknowledgement"
URGENT_REPORT_ALERT = "initiatives.urgent_report_alert"
URGENT_REPORT_ESCALATION = "initiatives.urgent_report_escalation"
MODERATION_SUMMARY = "initiatives.moderation_summary"
FOLLOW_DIGEST = "initiatives.follow_digest"

# What the author of an idea is told, by the status the idea moved to.
IDEA_OUTCOMES = {
    IdeaStatus.APPROVED: gettext_lazy(
        "Your idea has been reviewed and is now published on the idea board."
    ),
    IdeaStatus.CHANGES_REQUESTED: gettext_lazy(
        "A moderator has reviewed your idea and asks for some changes before it can be "
        "published. You can edit and resubmit it from My ideas."
    ),
    IdeaStatus.REJECTED: gettext_lazy(
        "A moderator has reviewed your idea and decided not to publish it."
    ),
    IdeaStatus.HIDDEN: gettext_lazy(
        "Your idea has been taken off the board for now while our moderators look at reports "
        "about it."
    ),
    IdeaStatus.MERGED: gettext_lazy(
        "Your idea has been brought together with others into a new initiative. Thank you!"
    ),
}


@register(MODERATION_NOTICE)
def moderation_notice(email) -> Message | None:
    """Tell an author what a moderator (or the reports) did to their idea or comment."""
    entry = ModerationLog.objects.filter(pk=email.params["log"]).first()
    if entry is None:
        return None
    if entry.target_kind == TargetKind.IDEA:
        idea = (
            Idea.objects.select_related("author", "merged_into").filter(pk=entry.target_id).first()
        )
        if idea is None:
            return None
        context = {
            "kind": "idea",
            "idea": idea,
            "entry": entry,
            "outcome": IDEA_OUTCOMES.get(
                entry.to_status, gettext_lazy("The status of your idea has changed.")
            ),
            "link": reverse("initiatives:my_ideas"),
        }
        subject = _("An update on your idea")
    elif entry.target_kind == TargetKind.COMMENT:
        comment = Comment.objects.select_related("author").filter(pk=entry.target_id).first()
        if comment is None:
            return None
        context = {
            "kind": "comment",
            "comment": comment,
            "entry": entry,
            "link": reverse("initiatives:idea_detail", kwargs={"pk": comment.idea_id}),
        }
        subject = _("An update on your comment")
    else:
        return None
    return Message(subject=subject, template="initiatives/email/moderation_notice", context=context)


@register(REPORT_ACKNOWLEDGEMENT)
def report_acknowledgement(email) -> Message | None:
    report = Report.objects.filter(pk=email.params["report"]).first()
    if report is None:
        return None
    return Message(
        subject=_("We have received your report"),
        template="initiatives/email/report_acknowledgement",
        context={"report": report},
    )


@register(INITIATIVE_UPDATE)
def initiative_update(email) -> Message | None:
    """News of an initiative, to a co-creator (one row each, written when it was posted)."""
    update = (
        InitiativeUpdate.objects.select_related("initiative")
        .filter(pk=email.params["update"])
        .first()
    )
    if update is None:
        return None
    return Message(
        subject=_("News from an initiative you joined"),
        template="initiatives/email/initiative_update",
        context={"update": update, "initiative": update.initiative},
    )


@register(PERSON_REPORT_ACKNOWLEDGEMENT)
def person_report_acknowledgement(email) -> Message | None:
    report = PersonReport.objects.filter(pk=email.params["report"]).first()
    if report is None:
        return None
    # Never the reported person's name: the reporter may have reported an anonymous author.
    return Message(
        subject=_("We have received your report"),
        template="initiatives/email/person_report_acknowledgement",
        context={"report": report},
    )


def _urgent_report(email):
    from .services import URGENT_CONTENT

    model = Report if email.params["kind"] == URGENT_CONTENT else PersonReport
    return model.objects.filter(pk=email.params["report"]).first()


def _urgent_context(report) -> dict:
    """What an organiser needs to act: where to go and how long it has waited. Never the
    content, a name or the reporter in the email itself: it may be read on a shared screen."""
    if isinstance(report, PersonReport):
        where = reverse("initiatives:person", args=[report.person_id])
    else:
        where = reverse("initiatives:moderation_queue") + "#reported"
    return {"report": report, "where": where, "about_person": isinstance(report, PersonReport)}


@register(URGENT_REPORT_ALERT)
def urgent_report_alert(email) -> Message | None:
    """To an organiser on duty, as an urgent report comes in."""
    report = _urgent_report(email)
    if report is None or report.status != "open":
        return None  # resolved before the email went: nothing to ask of them
    return Message(
        subject=_("An urgent report is waiting for an organiser"),
        template="initiatives/email/urgent_report_alert",
        context=_urgent_context(report),
    )


@register(URGENT_REPORT_ESCALATION)
def urgent_report_escalation(email) -> Message | None:
    """To every organiser and MCI staff member, once an urgent report has waited too long."""
    report = _urgent_report(email)
    if report is None or report.status != "open":
        return None
    return Message(
        subject=_("Still waiting: an urgent report needs an organiser now"),
        template="initiatives/email/urgent_report_escalation",
        context={**_urgent_context(report), "minutes": settings.URGENT_RESPONSE_MINUTES},
    )


@register(MODERATION_SUMMARY)
def moderation_summary(email) -> Message | None:
    """An organiser's morning summary of what waits (they opted in on their profile)."""
    from .selectors import moderation_waiting

    return Message(
        subject=_("What is waiting for moderation today"),
        template="initiatives/email/moderation_summary",
        context={"waiting": moderation_waiting()},
    )


@register(FOLLOW_DIGEST)
def follow_digest(email) -> Message | None:
    """A follower's daily digest: what is new in each initiative they follow, from the
    notices the batch gave this email. An initiative they stopped following since, or an
    update deleted since, is left out; nothing left, no email. Each initiative carries its
    own unsubscribe link; the List-Unsubscribe header stops them all (RFC 8058 one-click)."""
    user_id = email.recipient_id
    followed = set(Follow.objects.filter(user_id=user_id).values_list("initiative_id", flat=True))
    notices = list(
        FollowNotice.objects.select_related("initiative")
        .filter(pk__in=email.params.get("notices", []), initiative_id__in=followed)
        .order_by("initiative__title", "initiative_id", "pk")
    )
    update_ids = [n.object_id for n in notices if n.kind == FollowNoticeKind.UPDATE]
    updates = InitiativeUpdate.objects.in_bulk(update_ids)
    sections: dict[int, dict] = {}
    for notice in notices:
        if notice.kind == FollowNoticeKind.UPDATE:
            update = updates.get(notice.object_id)
            if update is None or update.initiative_id != notice.initiative_id:
                continue
            item = {"kind": "update", "title": update.title, "body": update.body}
        elif notice.kind == FollowNoticeKind.PUBLISHED_VERSION:
            # Rendered from the initiative alone: its page shows the published text.
            item = {"kind": "published_version"}
        else:
            continue
        initiative = notice.initiative
        section = sections.setdefault(
            initiative.pk,
            {
                "initiative": initiative,
                "link": settings.SITE_URL + initiative.get_absolute_url(),
                "unsubscribe": unsubscribe_url(user_id=user_id, initiative_id=initiative.pk),
                "items": [],
            },
        )
        section["items"].append(item)
    if not sections:
        return None
    unsubscribe_all = unsubscribe_url(user_id=user_id, initiative_id=None)
    return Message(
        subject=_("News from initiatives you follow"),
        template="initiatives/email/follow_digest",
        context={
            "sections": list(sections.values()),
            "unsubscribe_all": unsubscribe_all,
            "following_url": settings.SITE_URL + reverse("initiatives:following"),
        },
        headers={
            "List-Unsubscribe": f"<{unsubscribe_all}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
