"""`manage.py retention`: apply the retention rules now; `--dry-run` prints what would go and
changes nothing (audit.retention)."""

from django.core.management.base import BaseCommand

from audit import retention

SHOWN_IDS = 20


class Command(BaseCommand):
    help = "Delete or erase what is past its retention period (--dry-run: only list it)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Print what would go; change nothing."
        )

    def handle(self, *args, dry_run: bool = False, **options):
        results = retention.retention_apply(dry_run=dry_run)
        heading = "Would go (dry run, nothing changed):" if dry_run else "Gone:"
        self.stdout.write(heading)
        for rule in retention.rules():
            ids = results.get(rule.key, [])
            shown = ", ".join(str(pk) for pk in ids[:SHOWN_IDS])
            more = f" and {len(ids) - SHOWN_IDS} more" if len(ids) > SHOWN_IDS else ""
            self.stdout.write(
                f"  {rule.key}: {len(ids)} {rule.label}" + (f" (ids {shown}{more})" if ids else "")
            )
