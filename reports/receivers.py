"""Reports' receivers of signals sent by the apps below it; connected in ReportsConfig.ready()."""

from django.dispatch import receiver

from feedback.signals import quote_withdrawn

from . import tasks


@receiver(quote_withdrawn, dispatch_uid="reports.revise_digests_quoting")
def revise_digests_quoting_withdrawn(sender, *, feedback_id: int, **kwargs) -> None:
    """A withdrawn quote must leave every stored digest: re-render them after commit."""
    tasks.revise_digests_quoting.delay_on_commit(feedback_id=feedback_id)
