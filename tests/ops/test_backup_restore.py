"""make backup / make restore: the database (pg_dump -Fc) and the private files, restored into a
fresh database and folder."""

import subprocess
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.db import connection

from tests.factories import FeedbackFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(settings.BASE_DIR)


def database_url(name: str) -> str:
    database = connection.settings_dict
    password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
    return (
        f"postgres://{database['USER']}{password}@{database['HOST'] or 'localhost'}:"
        f"{database['PORT'] or 5432}/{name}"
    )


def server_connection():
    database = connection.settings_dict
    return psycopg2.connect(
        dbname="postgres",
        user=database["USER"],
        password=database.get("PASSWORD") or None,
        host=database["HOST"] or "localhost",
        port=database["PORT"] or 5432,
    )


@pytest.fixture
def fresh_database():
    name = f"afa_restore_{uuid.uuid4().hex[:12]}"
    server = server_connection()
    server.autocommit = True
    with server.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with server.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.close()


def make(target: str, **environment: str) -> str:
    result = subprocess.run(
        ["make", "--no-print-directory", target, *(f"{k}={v}" for k, v in environment.items())],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_backup_restored_into_a_fresh_database_has_the_data_and_the_files(
    tmp_path, fresh_database
):
    person = UserFactory()
    feedback = FeedbackFactory(participant=person, experience="Restored from a backup")
    private = tmp_path / "private"
    (private / "exports").mkdir(parents=True)
    (private / "exports" / "7-abc.xlsx").write_bytes(b"the export file")

    output = make(
        "backup",
        DATABASE_URL=database_url(connection.settings_dict["NAME"]),
        PRIVATE_ROOT=str(private),
        BACKUP_DIR=str(tmp_path / "backups"),
    )
    folder = Path(output.strip().splitlines()[-1])
    assert folder.parent == tmp_path / "backups"
    assert sorted(path.name for path in folder.iterdir()) == [
        "SHA256SUMS",
        "database.dump",
        "private.tar.gz",
    ]

    restored = tmp_path / "restored"
    make(
        "restore",
        BACKUP=str(folder),
        DATABASE_URL=database_url(fresh_database),
        PRIVATE_ROOT=str(restored),
    )
    assert (restored / "exports" / "7-abc.xlsx").read_bytes() == b"the export file"
    copy = psycopg2.connect(database_url(fresh_database))
    try:
        with copy.cursor() as cursor:
            cursor.execute(
                "SELECT experience, participant_id FROM engagement_feedback WHERE id = %s",
                [feedback.pk],
            )
            assert cursor.fetchone() == ("Restored from a backup", person.pk)
            cursor.execute("SELECT count(*) FROM django_migrations")
            assert cursor.fetchone()[0] > 0
    finally:
        copy.close()

    # Restoring again over the restored copy replaces it (pg_restore --clean).
    make(
        "restore",
        BACKUP=str(folder),
        DATABASE_URL=database_url(fresh_database),
        PRIVATE_ROOT=str(restored),
    )


def test_a_damaged_backup_is_refused_before_anything_is_restored(tmp_path, fresh_database):
    UserFactory()
    folder = Path(
        make(
            "backup",
            DATABASE_URL=database_url(connection.settings_dict["NAME"]),
            PRIVATE_ROOT=str(tmp_path / "none"),
            BACKUP_DIR=str(tmp_path / "backups"),
        )
        .strip()
        .splitlines()[-1]
    )
    with open(folder / "database.dump", "ab") as dump:
        dump.write(b"damage")
    result = subprocess.run(
        ["bash", "scripts/restore.sh"],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "BACKUP": str(folder),
            "DATABASE_URL": database_url(fresh_database),
            "PRIVATE_ROOT": str(tmp_path / "restored"),
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert not (tmp_path / "restored").exists()
    copy = psycopg2.connect(database_url(fresh_database))
    try:
        with copy.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
            assert cursor.fetchone()[0] == 0
    finally:
        copy.close()
