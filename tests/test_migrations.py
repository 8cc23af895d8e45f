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
    ("initiatives", "0002"): [
        ("initiatives_initiative", "initiatives_initiative_order"),
        ("initiatives_kpi", "initiatives_kpi_order"),
        ("initiatives_kpimeasurement", "initiatives_measurement_order"),
    ],
    ("governance", "0004"): [("governance_risk", "governance_risk_order")],
    ("initiatives", "0009"): [
        ("initiatives_initiative", "initiatives_init_health_order"),
        ("initiatives_initiative", "initiatives_init_stage_order"),
        ("initiatives_kpi", "initiatives_kpi_cadence_order"),
    ],
    ("governance", "0008"): [
        ("governance_mitigation", "governance_mitigation_order"),
        ("governance_mitigation", "governance_mitigation_st_order"),
        ("governance_risk", "governance_risk_category_order"),
        ("governance_risk", "governance_risk_status_order"),
    ],
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
        for table, index in ONLINE_INDEXES[(app, migration)]:
            assert index in connection.introspection.get_constraints(cursor, table), (table, index)


BEFORE_BOUNDS = [
    ("vpportal", "0005_token_grants"),
    ("initiatives", "0006_session_held_participants_required"),
    ("governance", "0004_list_order_indexes"),
]
AFTER_BOUNDS = [
    ("vpportal", "0006_field_bounds"),
    ("initiatives", "0007_field_bounds"),
    ("governance", "0005_field_bounds"),
]


def test_the_field_bounds_migrations_bring_legacy_rows_inside_their_constraints(migrator):
    """A production database holding rows no bound allowed yet migrates without failing: the rows
    are fixed first (vpportal/core/legacy_rows.py), then the constraints are added."""
    old = migrator.to(BEFORE_BOUNDS)
    Person = old.get_model("vpportal", "Person")
    owner = Person.objects.create(name="  Ada  ", email="ada@example.com")
    Person.objects.create(name="   ", email="nobody@example.com")
    Initiative = old.get_model("initiatives", "Initiative")
    bad = Initiative.objects.create(title="   ", owner=owner, budget=-5, currency="ZZZ")
    lower = Initiative.objects.create(title=" Churn ", owner=owner, budget=10, currency="usd")
    Training = old.get_model("initiatives", "Training")
    training = Training.objects.create(title="GenAI 101", held_on="2025-01-01", capacity=0, duration_minutes=0)
    Policy = old.get_model("governance", "Policy")
    policy = Policy.objects.create(title="Use of GenAI", review_interval_months=0)

    new = migrator.to(AFTER_BOUNDS)
    Initiative = new.get_model("initiatives", "Initiative")
    assert Initiative.objects.filter(pk=bad.pk).values("title", "budget", "currency").get() == {
        "title": "(untitled)",
        "budget": None,
        "currency": "EUR",
    }
    assert Initiative.objects.filter(pk=lower.pk).values_list("title", "currency").get() == ("Churn", "USD")
    assert new.get_model("vpportal", "Person").objects.get(pk=owner.pk).name == "Ada"
    assert new.get_model("vpportal", "Person").objects.filter(name="(unnamed)").count() == 1
    fixed = new.get_model("initiatives", "Training").objects.get(pk=training.pk)
    assert (fixed.capacity, fixed.duration_minutes) == (None, 1)
    assert new.get_model("governance", "Policy").objects.get(pk=policy.pk).review_interval_months == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the function only ever existed on PostgreSQL")
def test_the_unused_count_estimate_function_is_dropped_and_comes_back_on_reversal(migrator):
    def exists():
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_proc WHERE proname = 'vp_count_estimate'")
            return cursor.fetchone()[0] == 1

    migrator.to([("vpportal", "0007_drop_count_estimate")])
    assert not exists()
    migrator.to([("vpportal", "0006_field_bounds")])
    assert exists()
    migrator.to([("vpportal", "0007_drop_count_estimate")])
    assert not exists()


def test_the_newer_records_field_bounds_migrations_fix_legacy_rows_first(migrator):
    old = migrator.to([("governance", "0010_external_reference"), ("integrations", "0004_webhook_secrets_encrypted")])
    Source = old.get_model("integrations", "ModelSource")
    source = Source.objects.create(name="  ", tracking_uri=" ", active=True)
    Webhook = old.get_model("integrations", "Webhook")
    hook = Webhook.objects.create(url="", event_types=["risk.*"], secret="x")

    new = migrator.to(
        [("governance", "0011_field_bounds_newer_records"), ("integrations", "0005_field_bounds_newer_records")]
    )
    fixed = new.get_model("integrations", "ModelSource").objects.get(pk=source.pk)
    assert (fixed.name, fixed.tracking_uri, fixed.active) == ("(unnamed)", "https://unset.invalid", False)
    fixed = new.get_model("integrations", "Webhook").objects.get(pk=hook.pk)
    assert (fixed.url, fixed.active) == ("https://unset.invalid", False)
