"""The urgent alert's claim against real threads on PostgreSQL: two tasks at once (a
redelivery racing the original) queue one email per organiser, not two."""

import pytest

from initiatives import services
from initiatives.models import Report
from initiatives.services import URGENT_CONTENT
from outbox.models import OutboundEmail
from tests.factories import CommentFactory, UserFactory
from tests.threads import run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_alert_tasks_at_once_queue_each_email_once():
    organisers = [UserFactory(roles=["Organiser"]) for _ in range(3)]
    reporter = UserFactory()
    for _ in range(3):
        report = services.report_create(reporter=reporter, comment=CommentFactory(), reason="minor")
        # Its own alert ran on commit (tasks run in-process here): undo it, then race four.
        Report.objects.filter(pk=report.pk).update(alerted_at=None)
        OutboundEmail.objects.filter(kind="initiatives.urgent_report_alert").delete()
        results, errors = run_at_once(
            [
                lambda pk=report.pk: services.urgent_report_alert(kind=URGENT_CONTENT, report_id=pk)
                for _ in range(4)
            ]
        )
        assert errors == []
        assert sorted(results) == [0, 0, 0, 3]
        rows = OutboundEmail.objects.filter(
            kind="initiatives.urgent_report_alert", params__report=report.pk
        )
        assert sorted(rows.values_list("recipient_id", flat=True)) == sorted(
            o.pk for o in organisers
        )
