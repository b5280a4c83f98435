"""The Celery app. Exactly one `celery -A afa_platform beat` process schedules periodic work."""

import os

from celery import Celery
from celery.contrib.django.task import DjangoTask
from django.db import transaction

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "afa_platform.settings")


class Task(DjangoTask):
    """DjangoTask's delay_on_commit(), so work is only enqueued once the transaction that made
    it necessary has committed; but robust: by then the change is committed, so a broker
    outage must not turn it into an error page. Django logs the failed publish (with the
    task's name, never its arguments); work that must not be lost has an outbox that beat
    sweeps (the registration notices)."""

    def delay_on_commit(self, *args, **kwargs) -> None:
        self.apply_async_on_commit(args, kwargs)

    def apply_async_on_commit(self, args=None, kwargs=None, **options) -> None:
        def publish() -> None:
            self.apply_async(args, kwargs, **options)

        # Django's log line names the callback by its __qualname__.
        publish.__qualname__ = f"{self.name}.apply_async"
        transaction.on_commit(publish, robust=True)


app = Celery("afa_platform", task_cls=Task)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
