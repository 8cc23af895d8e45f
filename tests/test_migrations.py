"""The list-order indexes build without blocking writes on PostgreSQL (CREATE INDEX CONCURRENTLY),
and exist once the database is migrated, on either backend."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

pytestmark = pytest.mark.django_db(
    transaction=True
)  # sqlmigrate opens a schema editor (SQLite refuses one inside a transaction)

ONLINE_INDEXES = {
    ("initiatives", "0002"): {
        "initiatives_initiative": "initiatives_initiative_order",
        "initiatives_kpi": "initiatives_kpi_order",
        "initiatives_kpimeasurement": "initiatives_measurement_order",
    },
    ("governance", "0004"): {"governance_risk": "governance_risk_order"},
}


@pytest.mark.parametrize(("app", "migration"), list(ONLINE_INDEXES))
def test_list_order_indexes_are_built_online_on_postgresql_and_exist(app, migration):
    out = io.StringIO()
    call_command("sqlmigrate", app, migration, stdout=out)
    sql = out.getvalue()
    creates = [line for line in sql.splitlines() if line.startswith("CREATE INDEX")]
    assert len(creates) == len(ONLINE_INDEXES[(app, migration)])
    concurrently = connection.vendor == "postgresql"
    assert all(line.startswith("CREATE INDEX CONCURRENTLY") == concurrently for line in creates), sql
    assert "BEGIN" not in sql  # outside a transaction, as PostgreSQL requires for CONCURRENTLY
    with connection.cursor() as cursor:
        for table, index in ONLINE_INDEXES[(app, migration)].items():
            assert index in connection.introspection.get_constraints(cursor, table), (table, index)
