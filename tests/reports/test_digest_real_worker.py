"""Through the broker: a digest requested in the web layer is compiled by a real Celery
worker (Redis from REDIS_URL), not in-process. Skipped with a reason without REDIS_URL."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.urls import reverse

from afa_platform.celery import app
from reports.models import Digest, DigestStatus
from tests.factories import FeedbackFactory, sgt

pytestmark = [pytest.mark.real_worker, pytest.mark.django_db(transaction=True)]


def test_digest_requested_in_the_browser_becomes_ready_through_a_real_worker(
    client, staff, participant
):
    assert app.conf.task_always_eager is False
    FeedbackFactory(
        participant=participant, created_at=sgt(2026, 11, 3, 12), harm_categories=["doxxing"]
    )
    client.force_login(staff)
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        response = client.post(
            reverse("reports:digest_request"), {"first_day": "2026-11-01", "last_day": "2026-11-07"}
        )
        assert response.status_code == 302
        digest = Digest.objects.get()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            digest.refresh_from_db()
            if digest.status in (DigestStatus.READY, DigestStatus.FAILED):
                break
            time.sleep(0.2)
    assert digest.status == DigestStatus.READY, digest.error
    assert digest.figures["feedback"]["total"] == 1
    status = client.get(reverse("reports:digest_status", args=[digest.pk])).json()
    assert status["done"] is True
