from celery import shared_task

from . import open_data


@shared_task(soft_time_limit=1800, time_limit=1900)
def build_open_data() -> str:
    """Nightly (beat `api-build-open-data`): rebuild the open-data archive. Safe to run twice:
    the same data gives the same archive, replaced whole."""
    return open_data.build_open_data()["sha256"]
