"""Portfolio rules, through the services every channel calls: keys, dates, KPI status, transitions."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from initiatives import gate
from initiatives.models import KPI, Initiative, KPIMeasurement
from initiatives.services import portfolio as services
from tests.factories.people import PersonFactory
from tests.factories.portfolio import InitiativeFactory, KPIFactory, KPIMeasurementFactory
from vpportal.core.services import ConflictError, TransitionError

pytestmark = pytest.mark.django_db


def new_initiative(by, **data):
    return services.initiative_create(by=by, data={"title": "Churn model", "owner": PersonFactory(), **data})


# --- keys ----------------------------------------------------------------------------------------
def test_keys_come_from_the_primary_key_and_are_unique(leader):
    first, second = new_initiative(leader), new_initiative(leader)
    assert first.key == f"INI-{first.pk:04d}" and second.key == f"INI-{second.pk:04d}"
    assert first.key != second.key
    assert Initiative.objects.get(pk=first.pk).key == first.key


def test_the_creation_history_entry_carries_the_key_and_the_author(leader):
    initiative = new_initiative(leader)
    created = initiative.history.get(history_type="+")
    assert (created.key, created.history_user) == (initiative.key, leader)


def test_the_key_cannot_be_changed_by_an_update(leader):
    initiative = new_initiative(leader)
    services.initiative_update(initiative, by=leader, data={"key": "INI-9999", "title": "Renamed"})
    initiative.refresh_from_db()
    assert initiative.key == f"INI-{initiative.pk:04d}" and initiative.title == "Renamed"


# --- dates, tags, partner functions ----------------------------------------------------------------
def test_a_target_date_before_the_start_date_is_refused_on_the_field(leader):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as error:
        new_initiative(leader, start_date=today, target_date=today - timedelta(days=1))
    assert "target_date" in error.value.message_dict
    assert not Initiative.objects.exists()


def test_a_target_date_equal_to_the_start_date_is_fine(leader):
    today = timezone.localdate()
    assert new_initiative(leader, start_date=today, target_date=today).pk


def test_the_date_rule_also_holds_on_update(leader):
    initiative = new_initiative(leader, start_date=timezone.localdate())
    with pytest.raises(ValidationError):
        services.initiative_update(
            initiative, by=leader, data={"target_date": timezone.localdate() - timedelta(days=3)}
        )


def test_partner_functions_must_be_person_functions(leader):
    with pytest.raises(ValidationError) as error:
        new_initiative(leader, partner_functions=["finance", "wizardry"])
    assert "partner_functions" in error.value.message_dict
    ok = new_initiative(leader, partner_functions=["legal", "finance", "legal"])
    assert ok.partner_functions == ["finance", "legal"]


def test_tags_are_normalised_to_lowercase_slugs(leader):
    initiative = new_initiative(leader, tags=["GenAI", "customer service", "genai"])
    assert initiative.tags == ["genai", "customer-service"]
    with pytest.raises(ValidationError):
        new_initiative(leader, tags=['bad"tag'])


def test_a_new_initiative_cannot_start_past_the_gate(leader):
    with pytest.raises(ValidationError) as error:
        new_initiative(leader, stage="production")
    assert "stage" in error.value.message_dict


def test_editing_cannot_change_the_stage(leader):
    initiative = new_initiative(leader)
    with pytest.raises(ValidationError) as error:
        services.initiative_update(initiative, by=leader, data={"stage": "production"})
    assert "stage" in error.value.message_dict


def test_only_writers_create_initiatives(contributor):
    with pytest.raises(PermissionDenied):
        new_initiative(contributor)


# --- KPI status ------------------------------------------------------------------------------------
def status_of(kpi):
    return KPI.objects.with_status().get(pk=kpi.pk).status


def measure(kpi, value, ago=timedelta(hours=1)):
    KPIMeasurementFactory(kpi=kpi, value=value, observed_at=timezone.now() - ago)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(80, "green"), (95, "green"), (79.99, "amber"), (70, "amber"), (69.9, "red"), (0, "red")],
)
def test_status_when_higher_is_better(value, expected):
    kpi = KPIFactory(direction="higher_is_better", target=80, warning_threshold=70)
    measure(kpi, value)
    assert status_of(kpi) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(2, "green"), (1, "green"), (2.01, "amber"), (5, "amber"), (5.1, "red")],
)
def test_status_when_lower_is_better(value, expected):
    kpi = KPIFactory(direction="lower_is_better", target=2, warning_threshold=5, baseline=8)
    measure(kpi, value)
    assert status_of(kpi) == expected


def test_without_a_warning_threshold_missing_the_target_is_red():
    higher = KPIFactory(direction="higher_is_better", target=10, warning_threshold=None)
    lower = KPIFactory(direction="lower_is_better", target=10, warning_threshold=None)
    measure(higher, 9.5)
    measure(lower, 10.5)
    assert (status_of(higher), status_of(lower)) == ("red", "red")


def test_the_latest_measurement_decides():
    kpi = KPIFactory(target=80, warning_threshold=70)
    measure(kpi, 90, ago=timedelta(days=3))
    measure(kpi, 50, ago=timedelta(days=1))
    annotated = KPI.objects.with_status().get(pk=kpi.pk)
    assert (annotated.status, annotated.latest_value) == ("red", 50)


def test_grey_without_measurement_or_target():
    assert status_of(KPIFactory()) == "grey"
    no_target = KPIFactory(target=None, warning_threshold=None)
    measure(no_target, 100)
    assert status_of(no_target) == "grey"


@pytest.mark.parametrize(
    ("cadence", "fresh", "stale"),
    [
        ("daily", timedelta(days=1, hours=23), timedelta(days=2, hours=1)),
        ("weekly", timedelta(days=13), timedelta(days=15)),
        ("monthly", timedelta(days=61), timedelta(days=63)),
        ("quarterly", timedelta(days=183), timedelta(days=185)),
    ],
)
def test_a_kpi_goes_grey_after_two_cadence_periods(cadence, fresh, stale):
    recent, old = KPIFactory(cadence=cadence), KPIFactory(cadence=cadence)
    measure(recent, 90, ago=fresh)
    measure(old, 90, ago=stale)
    assert (status_of(recent), status_of(old)) == ("green", "grey")


def test_status_of_many_kpis_is_one_query(django_assert_num_queries):
    for value in (90, 75, 10):
        measure(KPIFactory(), value)
    with django_assert_num_queries(1):
        statuses = sorted(k.status for k in KPI.objects.with_status())
    assert statuses == ["amber", "green", "red"]


@pytest.mark.parametrize("worst", [1, 3, 50])
def test_the_status_overview_counts_and_ranks_like_with_status_in_one_query(worst, django_assert_num_queries):
    # Several KPIs per status, names out of id order, one status (amber) left empty.
    for name, value in [("delta", 90), ("alpha", 10), ("echo", 5), ("bravo", 95), ("charlie", 1)]:
        measure(KPIFactory(name=name, target=80, warning_threshold=70), value)
    KPIFactory(name="foxtrot")  # no point: grey
    KPIFactory(name="able")  # grey, first by name
    order = ("red", "amber", "grey", "green")
    annotated = list(KPI.objects.with_status())
    expected_counts = {status: sum(k.status == status for k in annotated) for status in order}
    ranked = sorted(annotated, key=lambda k: (order.index(k.status), k.name, k.pk))
    with django_assert_num_queries(1):
        counts, worst_kpis = KPI.objects.status_overview(worst, order)
    assert (
        {status: counts.get(status, 0) for status in order}
        == expected_counts
        == {"red": 3, "amber": 0, "grey": 2, "green": 2}
    )
    assert worst_kpis == [(k.pk, k.status) for k in ranked[:worst]]
    assert [KPI.objects.get(pk=pk).name for pk, _ in worst_kpis][:3] == ["alpha", "charlie", "echo"][:worst]


@pytest.mark.parametrize("hours_later", [0, 30, 24 * 20, 24 * 70, 24 * 200])
def test_the_status_overview_compiled_once_binds_the_time_of_each_call(hours_later):
    """Over every KPI the overview's statement is compiled once per process and `now` is bound into
    it (issue 23): as time passes and KPIs go stale it must agree with `with_status()` itself."""
    for cadence, value in [("daily", 90), ("weekly", 10), ("monthly", 75), ("quarterly", 95)]:
        measure(KPIFactory(cadence=cadence, target=80, warning_threshold=70), value)
    order = ("red", "amber", "grey", "green")
    now = timezone.now() + timedelta(hours=hours_later)
    for _ in range(2):  # the first call may derive the statement, the second reads with the kept one
        counts, worst = KPI.objects.status_overview(10, order, now=now)
        statuses = dict(KPI.objects.with_status(now).values_list("pk", "status"))
        assert sorted(worst) == sorted(statuses.items())
        assert {s: counts.get(s, 0) for s in order} == {s: list(statuses.values()).count(s) for s in order}
    # The same through a queryset that is not the whole table (built on every call).
    assert KPI.objects.filter(pk__in=list(statuses)).status_overview(10, order, now=now) == (counts, worst)


def test_latest_per_kpi_gives_the_newest_points_of_each_kpi_in_time_order_in_one_query(
    django_assert_num_queries,
):
    kpis = [KPIFactory() for _ in range(3)]
    start = timezone.now().replace(microsecond=0) - timedelta(days=30)
    for n, kpi in enumerate(kpis):
        for day in range(5 + n):
            # Two sources at the same moment: ties are kept in id order.
            for source in ("a", "b"):
                KPIMeasurementFactory(kpi=kpi, observed_at=start + timedelta(days=day), value=day, source=source)
    wanted = [kpis[2].pk, kpis[0].pk, 999_999]
    expected = []
    for kpi_id in sorted(wanted):
        newest = KPIMeasurement.objects.filter(kpi_id=kpi_id).order_by("-observed_at", "-pk")[:3]
        expected += sorted(((p.kpi_id, p.observed_at, p.value, p.pk) for p in newest), key=lambda r: (r[1], r[3]))
    with django_assert_num_queries(1):
        rows = KPIMeasurement.objects.latest_per_kpi(wanted, 3)
    assert rows == [r[:3] for r in expected]
    assert len(rows) == 6 and {r[0] for r in rows} == {kpis[0].pk, kpis[2].pk}
    assert KPIMeasurement.objects.latest_per_kpi([], 3) == []


def test_the_warning_threshold_must_sit_on_the_bad_side_of_the_target(leader):
    with pytest.raises(ValidationError) as error:
        services.kpi_create(
            by=leader, data={"name": "Accuracy", "direction": "higher_is_better", "target": 80, "warning_threshold": 90}
        )
    assert "warning_threshold" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.kpi_create(
            by=leader, data={"name": "Latency", "direction": "lower_is_better", "target": 200, "warning_threshold": 100}
        )


def test_a_measurement_must_be_a_finite_number(contributor):
    kpi = KPIFactory()
    with pytest.raises(ValidationError) as error:
        services.kpi_measurement_create(
            by=contributor, data={"kpi": kpi, "observed_at": timezone.now(), "value": float("inf")}
        )
    assert "value" in error.value.message_dict


def test_a_duplicate_point_is_refused(contributor):
    kpi, moment = KPIFactory(), timezone.now()
    data = {"kpi": kpi, "observed_at": moment, "value": 1.0, "source": "mlflow"}
    services.kpi_measurement_create(by=contributor, data=data)
    with pytest.raises(ValidationError):
        services.kpi_measurement_create(by=contributor, data=data)
    assert KPIMeasurement.objects.count() == 1


# --- trend -------------------------------------------------------------------------------------------
def test_the_trend_returns_raw_points_for_short_ranges_and_buckets_long_ones(django_assert_max_num_queries):
    kpi = KPIFactory()
    start = timezone.now() - timedelta(days=30)
    KPIMeasurement.objects.bulk_create(
        KPIMeasurement(kpi=kpi, observed_at=start + timedelta(hours=h), value=h % 24) for h in range(30 * 24)
    )
    with django_assert_max_num_queries(2):
        points, bucket = KPIMeasurement.objects.trend(kpi=kpi, max_points=500)
    assert bucket == "day" and 30 <= len(points) <= 31
    assert abs(points[5][1] - 11.5) < 1e-6  # a full day's hours 0..23 average 11.5
    raw, bucket = KPIMeasurement.objects.trend(kpi=kpi, since=timezone.now() - timedelta(days=2))
    assert bucket == "point" and len(raw) <= 49


def test_the_trend_answers_a_short_series_in_one_query_and_never_counts_a_long_one(django_assert_num_queries):
    """Issue 23 (e): counting a year of minute points cost half as much as averaging them; the
    trend reads at most `max_points + 1` points to choose between points and buckets."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    kpi = KPIFactory()
    start = (timezone.now() - timedelta(days=30)).replace(hour=0, minute=0, second=0, microsecond=0)
    KPIMeasurement.objects.bulk_create(
        KPIMeasurement(kpi=kpi, observed_at=start + timedelta(hours=h), value=h) for h in range(11)
    )
    with django_assert_num_queries(1):
        points, bucket = KPIMeasurement.objects.trend(kpi=kpi, max_points=11)
    assert bucket == "point" and [v for _, v in points] == list(range(11))
    assert [t for t, _ in points] == sorted(t for t, _ in points)
    with CaptureQueriesContext(connection) as captured:
        points, bucket = KPIMeasurement.objects.trend(kpi=kpi, max_points=10)
    assert bucket == "day" and len(captured) == 2
    assert not any("COUNT(" in q["sql"].upper() for q in captured.captured_queries)
    assert len(points) == 1 and abs(points[0][1] - 5) < 1e-6  # one day: hours 0..10 average 5


# --- transitions -------------------------------------------------------------------------------------
def move(initiative, by, stage, **kwargs):
    return services.initiative_transition(initiative=initiative, by=by, stage=stage, **kwargs)


def test_the_declared_moves_are_the_path_one_step_back_and_retire():
    moves = services.ALLOWED_MOVES
    assert moves["idea"] == ("discovery", "retired")
    assert "pilot" not in moves["idea"] and "production" not in moves["poc"]
    assert all("retired" in targets for stage, targets in moves.items() if stage != "retired")
    assert moves["retired"] == ("idea",)


def test_a_forward_move_is_recorded_with_its_author(leader):
    initiative = InitiativeFactory(stage="idea")
    move(initiative, leader, "discovery")
    initiative.refresh_from_db()
    assert initiative.stage == "discovery" and initiative.stage_changed_at is not None
    assert initiative.history.first().history_user == leader


def test_skipping_a_stage_is_refused(leader):
    initiative = InitiativeFactory(stage="idea")
    with pytest.raises(TransitionError):
        move(initiative, leader, "pilot")
    initiative.refresh_from_db()
    assert initiative.stage == "idea"


def test_an_unknown_stage_is_a_validation_error(leader):
    with pytest.raises(ValidationError) as error:
        move(InitiativeFactory(), leader, "moon")
    assert "stage" in error.value.message_dict


def test_the_gate_refuses_pilot_without_a_kpi_with_a_target(leader):
    initiative = InitiativeFactory(stage="poc")
    KPIFactory(initiative=initiative, target=None, warning_threshold=None)
    with pytest.raises(TransitionError) as error:
        move(initiative, leader, "pilot")
    assert gate.MSG_NO_KPI_WITH_TARGET in error.value.details


def test_the_gate_lets_pilot_through_with_a_kpi_with_a_target(leader, monkeypatch):
    monkeypatch.setattr(gate, "GATE_CHECKS", [gate.KPI_WITH_TARGET])  # only this app's check
    initiative = InitiativeFactory(stage="poc")
    KPIFactory(initiative=initiative)
    assert move(initiative, leader, "pilot").stage == "pilot"


def test_the_gate_runs_every_registered_check_and_reports_each_reason(leader, monkeypatch):
    monkeypatch.setattr(gate, "GATE_CHECKS", [gate.KPI_WITH_TARGET])
    gate.register_check(gate.GateCheck("always_fails", "Always fails", lambda i, s: ["First reason.", "Second."]))
    initiative = InitiativeFactory(stage="poc")
    with pytest.raises(TransitionError) as error:
        move(initiative, leader, "pilot")
    assert error.value.details == [gate.MSG_NO_KPI_WITH_TARGET, "First reason.", "Second."]


def test_stepping_back_from_production_is_not_gated(leader):
    initiative = InitiativeFactory(stage="production")
    assert move(initiative, leader, "pilot").stage == "pilot"


def test_an_executive_overrides_a_failed_gate_with_a_recorded_justification(executive):
    initiative = InitiativeFactory(stage="poc")
    move(initiative, executive, "pilot", override_justification="Board decision of 3 March.")
    initiative.refresh_from_db()
    assert initiative.stage == "pilot"
    assert initiative.gate_override_justification == "Board decision of 3 March."
    latest = initiative.history.first()
    assert (latest.gate_override_justification, latest.history_user) == ("Board decision of 3 March.", executive)


def test_an_executive_without_justification_is_refused_like_anyone(executive):
    with pytest.raises(TransitionError):
        move(InitiativeFactory(stage="poc"), executive, "pilot", override_justification="   ")


def test_a_leader_may_not_override_the_gate(leader):
    initiative = InitiativeFactory(stage="poc")
    with pytest.raises(PermissionDenied):
        move(initiative, leader, "pilot", override_justification="Please")
    initiative.refresh_from_db()
    assert initiative.stage == "poc"


def test_contributors_and_auditors_cannot_move_initiatives(contributor, auditor):
    for user in (contributor, auditor):
        with pytest.raises(PermissionDenied):
            move(InitiativeFactory(), user, "discovery")


def test_a_stale_version_refuses_the_move(leader):
    initiative = InitiativeFactory(stage="idea")
    with pytest.raises(ConflictError):
        move(initiative, leader, "discovery", version=initiative.version + 5)
    initiative.refresh_from_db()
    assert initiative.stage == "idea"
