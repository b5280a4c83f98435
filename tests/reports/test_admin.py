"""Digests and digest subscriptions are read-only in the admin: reports.services owns a
digest's job state, and receiving digests is each person's choice, audited when made."""

import pytest
from django.utils import timezone

from reports.models import DigestKind, DigestStatus, DigestSubscription
from reports.services import digest_subscription_set
from tests.factories import DigestFactory, sgt

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_admin_shows_a_digests_job_state_read_only_and_cannot_delete_it(admin_client):
    digest = DigestFactory(
        kind=DigestKind.WEEKLY,
        period_start=sgt(2026, 11, 2, 8),
        period_end=sgt(2026, 11, 9, 8),
        queued_at=timezone.now(),
    )
    url = f"/admin/reports/digest/{digest.pk}/change/"

    page = admin_client.get(url)
    assert page.status_code == 200
    assert 'name="status"' not in page.content.decode()
    assert admin_client.post(url, {"status": DigestStatus.READY}).status_code == 403
    assert admin_client.post(url.replace("change", "delete"), {"post": "yes"}).status_code == 403
    digest.refresh_from_db()
    assert digest.status == DigestStatus.QUEUED


def test_admin_lists_digest_subscriptions_but_leaves_the_choice_to_each_person(admin_client, staff):
    digest_subscription_set(user=staff, subscribed=True)
    subscription = DigestSubscription.objects.get(user=staff)

    page = admin_client.get("/admin/reports/digestsubscription/")
    assert page.status_code == 200
    assert staff.display_name in page.content.decode()
    assert admin_client.get("/admin/reports/digestsubscription/add/").status_code == 403
    url = f"/admin/reports/digestsubscription/{subscription.pk}/delete/"
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert DigestSubscription.objects.filter(user=staff).exists()
