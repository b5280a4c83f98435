"""Stable pseudonyms for people in exports.

A pseudonym is a keyed hash (HMAC-SHA256) of the user's id: the same person gets the same
pseudonym in every export, different people get different ones, and without the key nobody
can go from a pseudonym back to the account (ids are small integers, so a plain hash could be
reversed by trying them all; the key is what prevents that).
"""

import hashlib
import hmac
from functools import lru_cache

from django.conf import settings
from django.utils.crypto import salted_hmac

PREFIX = "P-"
HEX_LENGTH = 12  # 48 bits: no collision expected below millions of people


def pseudonym_key() -> bytes:
    """The key from EXPORT_PSEUDONYM_KEY, or one derived from SECRET_KEY when that is unset."""
    if settings.EXPORT_PSEUDONYM_KEY:
        return settings.EXPORT_PSEUDONYM_KEY.encode()
    # The salt names the module's first home: changing it would change every pseudonym.
    return salted_hmac(
        "afa_platform.reports.pseudonyms", "export-pseudonym-key", algorithm="sha256"
    ).digest()


class Pseudonymiser:
    """Turns user ids into pseudonyms with one key; remembers recent ids, since one person
    appears on many rows of an export."""

    def __init__(self, key: bytes | None = None) -> None:
        # HMAC's keyed inner and outer states are computed once and copied per id.
        self._base = hmac.new(key if key is not None else pseudonym_key(), digestmod=hashlib.sha256)
        self.of = lru_cache(maxsize=65536)(self._compute)

    def _compute(self, user_id: int) -> str:
        mac = self._base.copy()
        mac.update(str(user_id).encode())
        return PREFIX + mac.hexdigest()[:HEX_LENGTH]


def pseudonym(user_id: int) -> str:
    """One pseudonym, with the configured key."""
    return Pseudonymiser().of(user_id)
