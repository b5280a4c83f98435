"""The audit log and the append-only base that both logs (this one and initiatives'
moderation log) are built on. On PostgreSQL a trigger refuses UPDATE and DELETE on both
tables as well (audit/migrations/0003_append_only_triggers.py)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("This log is append-only.")

    def delete(self):
        raise TypeError("This log is append-only.")


class AuditEvent(models.Model):
    """Who did what to whose data, and when: exports of personal data above all. Append-only.

    Moved here from the reports app (issue 11); the table keeps its name."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=60, db_index=True)
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.CharField(_("object id"), max_length=60, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        db_table = "reports_auditevent"
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_type} {self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Audit events cannot be changed once written.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Audit events cannot be deleted.")


class AccessRecord(models.Model):
    """One person whose personal data an audited export or roster download included, so the
    person can see who has seen their data (accounts' "Download my data"). Ids only: the
    event says when, by whom and why; `role` is the role the file was produced in.

    Deleted with its event (the retention job, past AUDIT_RETENTION_DAYS) or with the
    person."""

    event = models.ForeignKey(
        AuditEvent,
        verbose_name=_("audit event"),
        on_delete=models.CASCADE,
        related_name="access_records",
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person included"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    role = models.CharField(_("in the role of"), max_length=30)

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")
        constraints = [
            models.UniqueConstraint(fields=["event", "person"], name="accessrecord_once_per_event")
        ]
        indexes = [models.Index(fields=["person", "event"])]

    def __str__(self) -> str:
        return f"event {self.event_id}: person {self.person_id}"
