"""How the reports app's outbound emails are rendered (outbox.registry), at send time from ids."""

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from outbox.registry import Message, register

from .models import Digest, DigestStatus, SessionSummary, SessionSummaryStatus
from .rendering import digest_charts, digest_context
from .selectors import digest_subscribers
from .services import DIGEST_EMAIL, SESSION_SUMMARY_EMAIL


@register(DIGEST_EMAIL)
def digest(email) -> Message | None:
    """A ready digest, as it stands when sent (quotes withdrawn meanwhile are gone), to a
    subscriber who still is one."""
    found = Digest.objects.filter(pk=email.params["digest"], status=DigestStatus.READY).first()
    if found is None or not digest_subscribers().filter(pk=email.recipient_id).exists():
        return None
    charts = digest_charts(found.figures)
    return Message(
        subject=_("AfA feedback digest: %(start)s to %(end)s")
        # Month names in the recipient's language (the outbox activates it).
        % {
            "start": date_format(found.first_day, "d M Y"),
            "end": date_format(found.last_day, "d M Y"),
        },
        template="reports/email/digest",
        context=digest_context(found, found.figures),
        attachments=[(chart.filename, str(chart.svg), "image/svg+xml") for chart in charts],
    )


@register(SESSION_SUMMARY_EMAIL)
def session_summary_published(email) -> Message | None:
    """ "What we heard" is up, to an attendee. The subject names no session and no harm (an
    inbox may be seen by others); nothing is sent if the summary went back to a draft
    meanwhile."""
    summary = (
        SessionSummary.objects.filter(
            pk=email.params["summary"], status=SessionSummaryStatus.PUBLISHED
        )
        .select_related("session")
        .first()
    )
    if summary is None:
        return None
    return Message(
        subject=_("What we heard at a session you joined is now online"),
        template="reports/email/session_summary",
        context={"summary": summary, "session": summary.session, "participant": email.recipient},
    )
