"""DATABASE_REPLICA_URL: the dashboard's, digests' and exports' reads of source data go to the
`replica` alias (a test mirror of the primary here); everything else, and every write, to the
primary."""

import re

import pytest
from django.db import connections, router
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from accounts.roles import Role
from afa_platform.db_router import reading_from_replica
from exports import services as export_services
from feedback.models import Feedback
from reports.models import Digest, DigestStatus
from reports.tasks import compile_digest
from tests.factories import DigestFactory, ExportJobFactory, FeedbackFactory, UserFactory

BOTH = ["default", "replica"]


def main_table(sql: str) -> str:
    """The table a query reads first ("" for one that reads none)."""
    found = re.search(r'FROM "(\w+)"', sql)
    return found.group(1) if found else ""


@pytest.fixture
def replica_configured(settings):
    settings.REPLICA_READS = True


def test_reads_of_source_data_go_to_the_replica_only_inside_the_context(replica_configured):
    assert router.db_for_read(Feedback) == "default"
    with reading_from_replica():
        assert router.db_for_read(Feedback) == "replica"
        # Sign-in and jobs just written are read from the primary, lag or not.
        assert router.db_for_read(User) == "default"
        assert router.db_for_read(Digest) == "default"
        assert router.db_for_write(Feedback) == "default"
    assert router.db_for_read(Feedback) == "default"


def test_the_decorator_form_routes_reads_while_the_function_runs(replica_configured):
    @reading_from_replica()
    def read() -> str:
        return router.db_for_read(Feedback)

    assert read() == "replica"
    assert router.db_for_read(Feedback) == "default"


def test_without_a_replica_url_everything_reads_from_the_primary(settings):
    settings.REPLICA_READS = False
    with reading_from_replica():
        assert router.db_for_read(Feedback) == "default"


def test_migrations_run_on_the_primary_only():
    assert router.allow_migrate("default", "feedback") is True
    assert router.allow_migrate("replica", "feedback") is False


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_the_dashboard_reads_its_figures_from_the_replica(client, replica_configured):
    staff = UserFactory(roles=[Role.STAFF], mfa=True)
    FeedbackFactory.create_batch(3)
    client.force_login(staff)
    with (
        CaptureQueriesContext(connections["replica"]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        response = client.get("/reports/")
    assert response.status_code == 200
    on_replica_tables = {main_table(query["sql"]) for query in on_replica.captured_queries}
    on_primary_tables = {main_table(query["sql"]) for query in on_primary.captured_queries}
    assert {"engagement_feedback", "engagement_registration", "initiatives_idea"} <= (
        on_replica_tables
    )
    assert not {table for table in on_primary_tables if table.startswith("engagement_")}
    # The signed-in user (and the session, when it is not in Redis) come from the primary.
    assert "accounts_user" in on_primary_tables
    assert not {"django_session", "accounts_user"} & on_replica_tables


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_a_page_outside_the_list_reads_only_from_the_primary(client, replica_configured):
    client.force_login(UserFactory())
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        assert client.get("/feedback/").status_code in (200, 302)
    assert on_replica.captured_queries == []


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_an_export_job_reads_its_rows_from_the_replica(replica_configured, settings, tmp_path):
    settings.PRIVATE_ROOT = str(tmp_path)
    FeedbackFactory.create_batch(2)
    job = ExportJobFactory()
    with (
        CaptureQueriesContext(connections["replica"]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        assert export_services.export_job_build(job_id=job.pk)
    assert any("engagement_feedback" in q["sql"] for q in on_replica.captured_queries)
    # The job's own row is claimed, read and finished on the primary.
    assert any("reports_exportjob" in q["sql"] for q in on_primary.captured_queries)
    assert not any("reports_exportjob" in q["sql"] for q in on_replica.captured_queries)


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_a_digest_is_compiled_from_the_replica_and_recorded_on_the_primary(replica_configured):
    FeedbackFactory.create_batch(2)
    digest = DigestFactory()
    with (
        CaptureQueriesContext(connections["replica"]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        compile_digest.delay(digest_id=digest.pk)
    digest.refresh_from_db()
    assert digest.status == DigestStatus.READY
    assert "engagement_feedback" in {main_table(q["sql"]) for q in on_replica.captured_queries}
    assert "reports_digest" in {main_table(q["sql"]) for q in on_primary.captured_queries}
    assert "reports_digest" not in {main_table(q["sql"]) for q in on_replica.captured_queries}
    # After the task, reads are the primary's again.
    assert router.db_for_read(Feedback) == "default"
