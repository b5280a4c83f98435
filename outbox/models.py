from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboundEmailStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    # Nothing to send any more (the idea, registration or file went away meanwhile).
    DROPPED = "dropped", _("Not needed any more")
    FAILED = "failed", _("Failed")


class OutboundEmail(models.Model):
    """One email to one person, written in the transaction of the change it tells of and sent
    by outbox.services.outbox_drain, exactly once: a drain claims the row with a conditional
    UPDATE before sending. Only ids and small parameters are stored (never an address or a
    rendered body): the email is rendered, to the recipient's current address, when sent."""

    kind = models.CharField(_("kind"), max_length=60)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    # Set when the same email must not be written twice (a digest compiled again).
    key = models.CharField(_("once-only key"), max_length=120, null=True, blank=True, unique=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=OutboundEmailStatus.choices,
        default=OutboundEmailStatus.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # A failed send waits until then before a drain tries it again (backoff).
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # The exception's class only: a message could hold an address.
    error = models.CharField(_("last error"), max_length=100, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("outbound email")
        verbose_name_plural = _("outbound emails")
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="sent", sent_at__isnull=False)
                | (~models.Q(status="sent") & models.Q(sent_at__isnull=True)),
                name="outboundemail_sent_has_time",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"
