"""The Celery app. Exactly one `celery -A afa_platform beat` process schedules periodic work."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "afa_platform.settings")

# DjangoTask gives every task delay_on_commit(), so work is only enqueued once the
# transaction that made it necessary has committed.
app = Celery("afa_platform", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
