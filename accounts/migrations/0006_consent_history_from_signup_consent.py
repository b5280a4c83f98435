# Before ConsentRecord, consent was kept only on the user (pdpa_consent_version and
# pdpa_consented_at, written at sign-up). Each account that has them gets the one record
# they stand for: that version, given at that time, at sign-up. Backwards, the records go
# (the user's fields were never changed, so nothing is lost).

from django.db import migrations

BATCH = 2000


def backfill(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    ConsentRecord = apps.get_model("accounts", "ConsentRecord")
    consented = (
        User.objects.filter(pdpa_consented_at__isnull=False)
        .exclude(pdpa_consent_version="")
        .exclude(consent_records__isnull=False)
        .order_by("pk")
        .values_list("pk", "pdpa_consent_version", "pdpa_consented_at")
    )
    batch = []
    for user_id, version, when in consented.iterator(chunk_size=BATCH):
        batch.append(
            ConsentRecord(
                user_id=user_id,
                notice_version=version,
                decision="given",
                method="sign_up",
                recorded_at=when,
            )
        )
        if len(batch) >= BATCH:
            ConsentRecord.objects.bulk_create(batch)
            batch = []
    ConsentRecord.objects.bulk_create(batch)


def forget(apps, schema_editor):
    apps.get_model("accounts", "ConsentRecord").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_consent_record")]

    operations = [migrations.RunPython(backfill, forget)]
