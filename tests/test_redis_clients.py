"""The Redis cache and the Celery broker keep one client per pool instead of building one
per command (see afa_platform/cache.py and afa_platform/celery_broker.py)."""

import pytest
from django.conf import settings
from django.core.cache import cache

from afa_platform.celery import app

pytestmark = pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis: set REDIS_URL")


def test_the_cache_reuses_its_client_and_still_round_trips():
    client = cache._cache.get_client("k")
    assert cache._cache.get_client("k", write=True) is client
    cache.set("afa-test-key", {"a": 1}, 30)
    assert cache.get("afa-test-key") == {"a": 1}
    cache.delete("afa-test-key")


def test_the_broker_channel_reuses_its_command_client_until_it_disconnects():
    with app.connection_for_write() as connection:
        assert type(connection.transport).__module__ == "afa_platform.celery_broker"
        channel = connection.default_channel
        with channel.conn_or_acquire() as first, channel.conn_or_acquire() as second:
            assert first is second
            assert first.ping()
        channel._disconnect_pools()
        with channel.conn_or_acquire() as third:
            assert third is not first
            assert third.ping()
