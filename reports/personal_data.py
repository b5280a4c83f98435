"""reports' part of "Download my data" (accounts.personal_data): digests asked for and the
digest subscription of MCI staff."""

from django.utils.translation import gettext_lazy as _

from accounts.personal_data import Column, Section, register

from .models import Digest, DigestSubscription, SessionSummary

register(
    Section(
        key="digests",
        title=_("Digests you asked for"),
        description=_("Feedback digests you asked for as MCI staff, and your subscription."),
        columns=(
            Column("what", _("digest or subscription.")),
            Column("record_id", _("The number of the digest.")),
            Column("when", _("When you asked or subscribed.")),
        ),
        read=lambda user: [
            *(
                {"what": "digest", "record_id": pk, "when": when}
                for pk, when in Digest.objects.filter(requested_by=user)
                .order_by("pk")
                .values_list("pk", "created_at")
            ),
            *(
                {"what": "subscription", "record_id": None, "when": when}
                for when in DigestSubscription.objects.filter(user=user).values_list(
                    "created_at", flat=True
                )
            ),
        ],
        covers=("reports.Digest.requested_by", "reports.DigestSubscription.user"),
        order=63,
    ),
    Section(
        key="session_summaries",
        title=_("Session summaries you wrote"),
        description=_('"What we heard" summaries of sessions you last wrote as an organiser.'),
        columns=(
            Column("session_id", _("The number of the session.")),
            Column("status", _("draft or published.")),
            Column("body", _("The text of the summary.")),
            Column("updated_at", _("When you last saved it.")),
        ),
        queryset=lambda user: SessionSummary.objects.filter(written_by=user).order_by("pk"),
        covers=("reports.SessionSummary.written_by",),
        order=64,
    ),
)
