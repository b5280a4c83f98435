"""Django's Redis cache, keeping one client per connection pool, and surviving an outage.

Django's RedisCacheClient builds a new redis.Redis for every cache call, and each one fills
a table of about 170 response callbacks: a tenth of the Python time of a signed-in request
that reads its session from Redis. A redis.Redis only wraps its (thread-safe, fork-aware)
pool, so one per pool does the same job.

OutageTolerantRedisCache is the one settings use: with Redis unreachable it behaves as an
empty cache that forgets what it is told, so a Redis outage never turns a page into a 500.
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# Connection refused, reset, timed out, or Redis still loading its data after a restart
# (BusyLoadingError is a ConnectionError).
OUTAGE_ERRORS = (RedisConnectionError, RedisTimeoutError)


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)
            client = self._clients[index] = self._client(connection_pool=pool)
        return client


class ReusingRedisCache(RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient


class OutageTolerantRedisCache(ReusingRedisCache):
    """While Redis is unreachable, every operation answers as an empty cache would: get is
    the default, add succeeds, incr finds no key, set and delete do nothing.

    What that means for each user of the cache, and why it is the right failure:
    - Sessions (cached_db) are read from and written to the database, which stays the
      durable copy: nobody is signed out. See afa_platform/sessions.py for the copies that
      miss an update during the outage.
    - allauth's rate limits and the feedback counter fail open: sign-in, sign-up and
      feedback keep working, unthrottled, for the length of the outage, and this module logs
      a warning. A fallback store in PostgreSQL would throttle through an outage, but it
      would put a write per sign-in attempt on the database and keep a second code path
      alive for a rare event that /healthz already reports (503) to monitoring; passwords
      stay hashed at full cost, so an outage of minutes does not open them to guessing.
    - allauth's TOTP replay guard (cache.add of a used code) accepts a code during the
      outage; a replay still needs the password and a code seen within its 30 seconds.
    - The registration outbox's cache.add succeeds, so the request publishes its drain
      task; with the broker (the same Redis) down that publish fails in a robust on-commit
      hook and beat's sweep sends the email later.

    After a failure the cache does not try Redis again for RETRY_AFTER seconds, so a Redis
    that does not answer costs one request one short timeout, not every cache call of every
    request; and it logs one warning per failure, not one per call.
    """

    RETRY_AFTER = 5.0
    # Redis answers in well under a millisecond; without these, redis-py waits 5 s for a
    # connection and 5 s for each reply from a Redis that has stopped answering.
    DEFAULT_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}

    def __init__(self, server, params) -> None:
        params = {**params, "OPTIONS": {**self.DEFAULT_OPTIONS, **params.get("OPTIONS", {})}}
        super().__init__(server, params)
        self._down_until = 0.0

    def _call(self, operation: str, outage_result, method, *args):
        if time.monotonic() < self._down_until:
            return outage_result
        try:
            return method(*args)
        except OUTAGE_ERRORS as error:
            self._down_until = time.monotonic() + self.RETRY_AFTER
            # Never the key: it can hold a session id or an address.
            logger.warning(
                "Redis cache unreachable on %s (%s: %s); acting as an empty cache for %.0f s",
                operation,
                type(error).__name__,
                error,
                self.RETRY_AFTER,
            )
            return outage_result

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", True, super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", None, super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", False, super().delete, key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        result = self._call("incr", None, super().incr, key, delta, version)
        if result is None:
            # As on an empty cache: callers already handle a missing key.
            raise ValueError("Key not found (Redis unreachable).")
        return result

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        # The keys that could not be stored: all of them.
        return self._call("set_many", list(data), super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, super().delete_many, keys, version)

    def clear(self):
        return self._call("clear", False, super().clear)
