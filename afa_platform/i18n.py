"""Translation helpers shared by the apps (bottom layer: imports nothing from them)."""

from django.utils.functional import lazy


def interpolated(message, values: dict):
    """`message % values`, but only when shown, in the language of that page: a lazy string
    interpolated at import time would freeze the language the process started in."""
    return lazy(lambda: str(message) % values, str)()
