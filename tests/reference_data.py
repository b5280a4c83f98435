"""The reference data the data migrations write (roles with their permissions, the harm
taxonomy), restored for transactional tests.

A transactional test ends by flushing every table, so the rows the data migrations made are
gone for the next transactional test. Rather than each module patching this its own way, the
autouse fixture in tests/conftest.py calls `restore_reference_data()` before every
transactional test: it replays our own apps' RunPython operations (all idempotent) against the
final migration state, in migration order. Operations marked `elidable` are left out: they fix
or move rows that existed when they ran (a new database needs none of them), and they may name
a model by the app it lived in then.
"""

from functools import cache

from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations.special import RunPython

FIRST_PARTY_APPS = {
    "accounts",
    "harms",
    "engagement",
    "feedback",
    "initiatives",
    "reports",
    "exports",
}


@cache  # the migration graph does not change during a test run
def _data_operations():
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    plan = []
    for leaf in loader.graph.leaf_nodes():
        for node in loader.graph.forwards_plan(leaf):
            if node not in plan:
                plan.append(node)
    operations = [
        operation
        for node in plan
        if node[0] in FIRST_PARTY_APPS
        for operation in loader.graph.nodes[node].operations
        if isinstance(operation, RunPython) and not operation.elidable
    ]
    return loader.project_state().apps, operations


def restore_reference_data() -> None:
    state_apps, operations = _data_operations()
    for operation in operations:
        # None for the schema editor: our data migrations only write rows.
        operation.code(state_apps, None)
