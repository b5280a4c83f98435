"""Sending the initiatives app's emails, once each.

A message is claimed by inserting its SentNotification key and sent inside the same
transaction: if sending fails the claim rolls back and a retry sends it; if the task runs
twice, the second insert fails on the unique key (after the first commits) and nothing is
sent again. Subjects are discreet: they never name a harm or quote the content.
"""

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from afa_platform.mail import send_templated_email

from .models import (
    CoCreator,
    Comment,
    Idea,
    InitiativeUpdate,
    ModerationLog,
    Report,
    SentNotification,
    TargetKind,
)


def _send_once(*, key: str, to: str, subject: str, template: str, context: dict) -> bool:
    try:
        with transaction.atomic():
            SentNotification.objects.create(key=key)
            send_templated_email(to=[to], subject=subject, template=template, context=context)
    except IntegrityError:
        return False
    return True


def moderation_notice_send(*, log_id: int) -> bool:
    entry = ModerationLog.objects.filter(pk=log_id).first()
    if entry is None:
        return False
    if entry.target_kind == TargetKind.IDEA:
        idea = (
            Idea.objects.select_related("author", "merged_into").filter(pk=entry.target_id).first()
        )
        if idea is None:
            return False
        recipient = idea.author
        context = {
            "kind": "idea",
            "idea": idea,
            "entry": entry,
            "link": reverse("initiatives:my_ideas"),
        }
    elif entry.target_kind == TargetKind.COMMENT:
        comment = Comment.objects.select_related("author").filter(pk=entry.target_id).first()
        if comment is None:
            return False
        recipient = comment.author
        context = {
            "kind": "comment",
            "comment": comment,
            "entry": entry,
            "link": reverse("initiatives:idea_detail", kwargs={"pk": comment.idea_id}),
        }
    else:
        return False
    context["recipient"] = recipient
    subject = (
        _("An update on your idea") if context["kind"] == "idea" else _("An update on your comment")
    )
    return _send_once(
        key=f"moderation:{entry.pk}",
        to=recipient.email,
        subject=subject,
        template="initiatives/email/moderation_notice",
        context=context,
    )


def report_acknowledgement_send(*, report_id: int) -> bool:
    report = Report.objects.select_related("reporter").filter(pk=report_id).first()
    if report is None:
        return False
    return _send_once(
        key=f"report-ack:{report.pk}",
        to=report.reporter.email,
        subject=_("We have received your report"),
        template="initiatives/email/report_acknowledgement",
        context={"report": report, "recipient": report.reporter},
    )


def initiative_update_send(*, update_id: int) -> int:
    update = InitiativeUpdate.objects.select_related("initiative").filter(pk=update_id).first()
    if update is None:
        return 0
    sent = 0
    for cocreator in CoCreator.objects.filter(initiative=update.initiative).select_related("user"):
        sent += _send_once(
            key=f"initiative-update:{update.pk}:{cocreator.user_id}",
            to=cocreator.user.email,
            subject=_("News from an initiative you joined"),
            template="initiatives/email/initiative_update",
            context={
                "update": update,
                "initiative": update.initiative,
                "recipient": cocreator.user,
            },
        )
    return sent
