"""The benchmark dataset: the seed command at the chosen scale, plus the bench KPIs (a year of
minute-level points; a KPI with many points beside the seeded 1,000-point ones), seeded once.

Seeding is skipped when the database already holds the scale's data, so repeated runs start at once.
"""

import time
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from initiatives.models import KPI, Initiative, KPIMeasurement
from vpportal.permissions import EXECUTIVE

BENCH_USER = "bench-executive"
MINUTE_KPI = "Bench KPI: a year of minute points"
LARGE_KPI = "Bench KPI: many points"


def bench_user():
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=BENCH_USER, defaults={"email": "bench@example.com", "is_superuser": True, "is_staff": True}
    )
    if created:
        user.set_password("bench-password-not-secret")
        user.save()
    group, _ = Group.objects.get_or_create(name=EXECUTIVE)
    user.groups.add(group)
    return user


def copy_points(kpi, count: int, *, step: timedelta, source: str = "bench"):
    """`count` points for `kpi`, `step` apart back from now, with one COPY."""
    table = KPIMeasurement._meta.db_table
    columns = "created_at, updated_at, version, kpi_id, observed_at, value, source, note"
    now = timezone.now().replace(second=0, microsecond=0)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for i in range(count):
            copy.write_row((now, now, 1, kpi.pk, now - i * step, 50.0 + (i % 1440) / 100, source, ""))


def _bench_kpi(name: str, points: int, step: timedelta, user):
    kpi = KPI.objects.filter(name=name).first()
    if kpi is None:
        kpi = KPI.objects.create(name=name, unit="ms", target=60, cadence="daily", created_by=user, updated_by=user)
    have = kpi.measurements.count()
    if have != points:
        kpi.measurements.all().delete()
        copy_points(kpi, points, step=step)
    return kpi


def _insert_per_risk(cursor, table: str, columns: str, values: str) -> None:
    """One row of `table` per risk by one INSERT ... SELECT: made now (version 1) by the risk's
    author, then `columns` from `values`, read off each risk `r`."""
    from governance.models import Risk

    cursor.execute(
        f"INSERT INTO {table} (created_at, updated_at, version, created_by_id, updated_by_id, {columns}) "
        f"SELECT now(), now(), 1, r.created_by_id, r.updated_by_id, {values} FROM {Risk._meta.db_table} r"
    )


def _seed_mitigations():
    """One mitigation per risk (statuses in turn, due dates spread), by one INSERT ... SELECT."""
    from governance.models import Mitigation

    if Mitigation.objects.exists():
        return
    with connection.cursor() as cursor:
        _insert_per_risk(
            cursor,
            Mitigation._meta.db_table,
            "risk_id, description, owner_id, due_date, status, external_system, external_id",
            "r.id, 'Mitigate ' || r.title, r.owner_id, current_date + (r.id % 365)::int - 90, "
            "(ARRAY['planned', 'in_progress', 'implemented', 'verified'])[1 + r.id % 4], '', ''",
        )


def _seed_incidents():
    """One incident per risk (severities, statuses and serious kinds in turn), linked to its risk, its
    AI system and its mitigation, by one INSERT ... SELECT per table."""
    from governance.models import Incident, Mitigation, Risk

    if Incident.objects.exists():
        return
    incident, risk = Incident._meta.db_table, Risk._meta.db_table
    with connection.cursor() as cursor:
        _insert_per_risk(
            cursor,
            incident,
            "key, title, description, category, severity, occurred_at, detected_at, status, root_cause, "
            "lessons_learned, serious, serious_kind, reported_to_authority_at, authority_reference, initiative_id, "
            "owner_id, reported_by_id, external_system, external_id",
            "'INC-' || lpad(r.id::text, 6, '0'), 'Incident on ' || r.title, '', r.category, "
            "(ARRAY['low', 'medium', 'high', 'critical'])[1 + r.id % 4], "
            "now() - make_interval(hours => r.id::int + 2), now() - make_interval(hours => r.id::int), "
            "(ARRAY['open', 'investigating', 'mitigated', 'closed'])[1 + r.id % 4], '', '', "
            "r.id % 10 = 0, CASE WHEN r.id % 10 = 0 THEN 'other_serious' ELSE '' END, NULL, '', "
            "r.initiative_id, r.owner_id, NULL, '', ''",
        )
        links = (
            ("risks", "risk_id", "r.id"),
            ("ai_systems", "aisystem_id", "r.ai_system_id"),
        )
        for relation, column, value in links:
            through = getattr(Incident, relation).through._meta.db_table
            cursor.execute(
                f"INSERT INTO {through} (incident_id, {column}) SELECT i.id, {value} FROM {incident} i "
                f"JOIN {risk} r ON i.key = 'INC-' || lpad(r.id::text, 6, '0') WHERE {value} IS NOT NULL"
            )
        through = Incident.mitigations.through._meta.db_table
        cursor.execute(
            f"INSERT INTO {through} (incident_id, mitigation_id) SELECT i.id, m.id FROM {incident} i "
            f"JOIN {risk} r ON i.key = 'INC-' || lpad(r.id::text, 6, '0') "
            f"JOIN {Mitigation._meta.db_table} m ON m.risk_id = r.id"
        )


def _seed_evidence():
    """One piece of evidence per risk (kinds in turn), attached to its risk, by INSERT ... SELECT.
    The stored-file columns are filled; no file is stored (the list never reads one)."""
    from django.contrib.contenttypes.models import ContentType

    from evidence.models import Evidence, EvidenceLink
    from governance.models import Risk

    if Evidence.objects.exists():
        return
    kinds = "ARRAY['dpia', 'model_card', 'test_report', 'validation_report', 'bias_audit', 'other']"
    evidence = Evidence._meta.db_table
    with connection.cursor() as cursor:
        _insert_per_risk(
            cursor,
            evidence,
            "title, kind, description, valid_until, file, original_name, content_type, size, sha256, uploaded_at, "
            "uploaded_by_id",
            f"'Evidence ' || r.id || ' for ' || r.title, ({kinds})[1 + r.id % 6], '', "
            "CASE WHEN r.id % 3 = 0 THEN current_date + (r.id % 400)::int - 200 END, "
            "md5(r.id::text), 'evidence-' || r.id || '.pdf', 'application/pdf', 1000 + r.id, md5(r.id::text) "
            "|| md5(r.title), now() - make_interval(hours => r.id::int), r.owner_id",
        )
        cursor.execute(
            f"INSERT INTO {EvidenceLink._meta.db_table} (evidence_id, content_type_id, object_id, created_at) "
            f"SELECT e.id, %s, substring(e.original_name from 'evidence-([0-9]+)')::bigint, now() FROM {evidence} e",
            [ContentType.objects.get_for_model(Risk).pk],
        )


def _seed_events(count: int) -> tuple[int, int]:
    """(first id, rows) of the change feed, topped up to `count` events by one INSERT ... SELECT:
    initiative updates, each carrying the initiative's row as its data (about the API's size)."""
    from vpportal.events.models import Event

    have = Event.objects.count()
    if have < count:
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {Event._meta.db_table} (type, object_type, object_id, actor_id, channel, occurred_at, data) "
                "SELECT 'initiative.updated', 'initiatives.initiative', src.ids[1 + g %% src.n], NULL, 'api', "
                "now() - make_interval(secs => %s - g), src.rows[1 + g %% src.n] "
                "FROM (SELECT array_agg(i.id ORDER BY i.id) ids, array_agg(to_jsonb(i) ORDER BY i.id) rows, count(*) n "
                "FROM initiatives_initiative i) src, generate_series(0, %s - 1) g",
                [count - have, count - have],
            )
    first = Event.objects.order_by("id").values_list("id", flat=True).first()
    return first, Event.objects.count()


def is_seeded(scale) -> bool:
    return (
        Initiative.objects.count() >= scale.initiatives
        and KPI.objects.count() >= scale.kpis
        and KPIMeasurement.objects.filter(source="seed").count() >= scale.kpis * scale.measurements_per_kpi
        and KPI.objects.filter(name=MINUTE_KPI).exists()
    )


def ensure(scale, stdout) -> dict:
    """Migrate, seed when needed, and answer the bench user and KPIs, with the seeding time."""
    call_command("migrate", verbosity=0, interactive=False)
    user = bench_user()
    seconds = None
    if not is_seeded(scale):
        stdout.write(f"Seeding the {scale.name} dataset (once; later runs reuse it)...\n")
        started = time.monotonic()
        call_command(
            "seed",
            people=scale.people,
            initiatives=scale.initiatives,
            kpis=scale.kpis,
            measurements_per_kpi=scale.measurements_per_kpi,
            ai_systems=scale.ai_systems,
            risks=scale.risks,
            batch_size=2000,
            stdout=stdout,
        )
        _bench_kpi(MINUTE_KPI, scale.minute_points, timedelta(minutes=1), user)
        _bench_kpi(LARGE_KPI, scale.large_kpi_points, timedelta(minutes=1), user)
        seconds = time.monotonic() - started
        stdout.write(f"\nSeeded in {seconds:.0f} s.\n")
    _seed_mitigations()
    _seed_incidents()
    _seed_evidence()
    events = _seed_events(scale.events)
    # Fresh statistics and visibility map: the planner and index-only scans see the real table.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    small = KPI.objects.filter(measurements__source="seed").order_by("pk").values_list("pk", flat=True).first()
    return {
        "user": user,
        "minute_kpi": KPI.objects.get(name=MINUTE_KPI),
        "large_kpi": KPI.objects.get(name=LARGE_KPI),
        "small_kpi": KPI.objects.get(pk=small),
        "seed_seconds": seconds,
        "events": events,
    }
