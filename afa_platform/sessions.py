"""Sessions read from the cache and written through to the database, with a short-lived copy.

Django's cached_db keeps the cache's copy of a session as long as the session itself (14
days). With OutageTolerantRedisCache (afa_platform/cache.py), a write or a delete that
happens while Redis is unreachable reaches only the database, and a Redis that comes back
with its data (the compose stack's Redis keeps an append-only file) would then serve the
older copy: a session signed out during the outage would be signed in again from its old
cookie, until the copy expired. Here the copy lives SESSION_CACHE_SECONDS at most, so the
database's version wins within minutes, at the price of one database read per signed-in
person per SESSION_CACHE_SECONDS. (Async views would use Django's aload/asave unchanged;
the site is served over WSGI.)
"""

from django.conf import settings
from django.contrib.sessions.backends import cached_db
from django.contrib.sessions.backends.db import SessionStore as DBStore


class SessionStore(cached_db.SessionStore):
    def _cache_timeout(self, expiry_age: int) -> int:
        return min(expiry_age, settings.SESSION_CACHE_SECONDS)

    def load(self):
        data = self._cache.get(self.cache_key)
        if data is not None:
            return data
        row = self._get_session_from_db()
        if row is None:
            return {}
        data = self.decode(row.session_data)
        timeout = self._cache_timeout(self.get_expiry_age(expiry=row.expire_date))
        self._cache.set(self.cache_key, data, timeout)
        return data

    def save(self, must_create=False):
        DBStore.save(self, must_create)
        self._cache.set(self.cache_key, self._session, self._cache_timeout(self.get_expiry_age()))
