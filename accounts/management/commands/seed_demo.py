import logging

from django.core import mail
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings
from django.utils.module_loading import import_string

from afa_platform.celery import app as celery_app

# Each app's demo data, in dependency order. Each seeder is idempotent.
SEEDERS = [
    "harms.demo.seed",
    "process.demo.seed",
    "accounts.demo.seed",
    "engagement.demo.seed",
    "initiatives.demo.seed",
    "feedback.demo.seed",
    "reports.demo.seed",
]


class Command(BaseCommand):
    help = "Load demo data: support resources and one verified account per role. Safe to re-run."

    def handle(self, *args, **options):
        # The demo's registrations, decisions and digests notify made-up people: run those
        # tasks here and keep their emails in memory, so nothing is sent (or queued for a
        # worker) and the demo accounts stay readable on the console.
        eager = celery_app.conf.task_always_eager
        trace_logger = logging.getLogger("celery.app.trace")
        trace_level = trace_logger.level
        outbox = getattr(mail, "outbox", None)
        celery_app.conf.task_always_eager = True
        trace_logger.setLevel(logging.WARNING)
        try:
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
                mail.outbox = []
                for path in SEEDERS:
                    with transaction.atomic():
                        import_string(path)(self.stdout)
                held = len(mail.outbox)
        finally:
            celery_app.conf.task_always_eager = eager
            trace_logger.setLevel(trace_level)
            if outbox is None:
                del mail.outbox
            else:
                mail.outbox = outbox
        if held:
            self.stdout.write(
                f"{held} notification emails to demo people were held back, not sent."
            )
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
