from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import import_string

# Each app's demo data, in dependency order. Each seeder is idempotent.
SEEDERS = [
    "harms.demo.seed",
    "accounts.demo.seed",
    "engagement.demo.seed",
    "initiatives.demo.seed",
    "engagement.feedback_demo.seed",
    "reports.demo.seed",
]


class Command(BaseCommand):
    help = "Load demo data: support resources and one verified account per role. Safe to re-run."

    def handle(self, *args, **options):
        for path in SEEDERS:
            with transaction.atomic():
                import_string(path)(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
