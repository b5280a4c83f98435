"""Through the broker: registrations made on the page get their first emails from a real
Celery worker (Redis from REDIS_URL) draining the outbox. Skipped with a reason without
REDIS_URL."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.urls import reverse

from afa_platform.celery import app
from engagement.models import Registration
from tests.factories import EngagementSessionFactory, UserFactory

pytestmark = [pytest.mark.real_worker, pytest.mark.django_db(transaction=True)]


def test_registrations_on_the_page_get_their_first_emails_from_a_real_worker(client, mailoutbox):
    assert app.conf.task_always_eager is False
    session = EngagementSessionFactory(capacity=2)
    people = [UserFactory() for _ in range(3)]
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        for person in people:
            client.force_login(person)
            response = client.post(reverse("engagement:session_register", args=[session.slug]))
            assert response.status_code == 302
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(mailoutbox) < 3:
            time.sleep(0.2)
    assert not Registration.objects.filter(notice_due=True).exists()
    subjects = sorted((m.to[0], m.subject.split(": ", 1)[-1]) for m in mailoutbox)
    assert subjects == sorted(
        [
            (people[0].email, "your seat is confirmed"),
            (people[1].email, "your seat is confirmed"),
            (people[2].email, "you are on the waiting list"),
        ]
    )
