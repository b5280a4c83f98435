"""Reports' receivers of signals sent by the apps below it; connected in ReportsConfig.ready()."""

from django.dispatch import receiver

from feedback.signals import quote_withdrawn

from . import services, tasks


@receiver(quote_withdrawn, dispatch_uid="reports.revise_digests_quoting")
def revise_digests_quoting_withdrawn(sender, *, feedback_id: int, **kwargs) -> None:
    """A withdrawn quote must leave every stored digest: re-render them after commit."""
    tasks.revise_digests_quoting.delay_on_commit(feedback_id=feedback_id)


@receiver(quote_withdrawn, dispatch_uid="reports.summaries_drop_quote")
def summaries_drop_withdrawn_quote(sender, *, feedback_id: int, **kwargs) -> None:
    """...and every "What we heard": unlinked at once, in the withdrawal's own transaction
    (a summary's page reads its links live, so there is nothing to re-render)."""
    services.summaries_drop_quote(feedback_id=feedback_id)
