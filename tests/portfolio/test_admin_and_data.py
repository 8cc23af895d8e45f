"""Portfolio admin (saves and inlines through services, transition actions) and the data commands."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from initiatives.models import KPI, Initiative, KPIMeasurement, Milestone
from tests.conftest import page_client
from tests.factories.people import PersonFactory
from tests.factories.portfolio import InitiativeFactory, KPIFactory, KPIMeasurementFactory

pytestmark = pytest.mark.django_db

INLINES = {
    "milestones-TOTAL_FORMS": "1",
    "milestones-INITIAL_FORMS": "0",
    "kpis-TOTAL_FORMS": "0",
    "kpis-INITIAL_FORMS": "0",
}


def test_admin_pages_load_for_an_executive(executive):
    kpi = KPIFactory()
    KPIMeasurementFactory(kpi=kpi)
    client = page_client(executive)
    for model in ("initiative", "milestone", "kpi", "kpimeasurement"):
        assert client.get(reverse(f"admin:initiatives_{model}_changelist")).status_code == 200
    assert client.get(reverse("admin:initiatives_initiative_change", args=[kpi.initiative_id])).status_code == 200
    body = client.get(reverse("admin:initiatives_kpi_change", args=[kpi.pk])).content.decode()
    assert "All measurements of this KPI" in body
    filtered = client.get(reverse("admin:initiatives_kpimeasurement_changelist") + f"?kpi__id__exact={kpi.pk}")
    assert filtered.status_code == 200


def test_admin_create_assigns_a_key_and_saves_inline_milestones_through_services(executive):
    owner = PersonFactory()
    data = {
        "title": "Admin made",
        "stage": "idea",
        "health": "on_track",
        "priority": 3,
        "owner": owner.pk,
        "partner_functions": '["finance"]',
        "tags": '["Ops"]',
        "currency": "EUR",
        "milestones-0-title": "Kick-off",
        "milestones-0-status": "done",
        **INLINES,
    }
    response = page_client(executive).post(reverse("admin:initiatives_initiative_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    initiative = Initiative.objects.get(title="Admin made")
    assert initiative.key == f"INI-{initiative.pk:04d}" and initiative.tags == ["ops"]
    milestone = Milestone.objects.get(initiative=initiative)
    assert milestone.done_date is not None  # the service's rule ran
    assert milestone.history.get().history_user == executive
    assert milestone.history.get().history_channel == "admin"


def test_admin_refuses_a_target_before_the_start_and_writes_nothing(executive):
    data = {
        "title": "Bad dates",
        "stage": "idea",
        "health": "on_track",
        "priority": 3,
        "owner": PersonFactory().pk,
        "partner_functions": "[]",
        "tags": "[]",
        "currency": "EUR",
        "start_date": "2025-05-01",
        "target_date": "2025-01-01",
        **INLINES,
        "milestones-TOTAL_FORMS": "0",
    }
    page_client(executive).post(reverse("admin:initiatives_initiative_add"), data)
    assert not Initiative.objects.filter(title="Bad dates").exists()


def test_the_admin_transition_action_runs_the_gate(leader, executive):
    ready, blocked = InitiativeFactory(stage="idea"), InitiativeFactory(stage="poc")
    client = page_client(executive)
    url = reverse("admin:initiatives_initiative_changelist")
    client.post(url, {"action": "move_to_discovery", "_selected_action": [ready.pk]})
    response = client.post(url, {"action": "move_to_pilot", "_selected_action": [blocked.pk]}, follow=True)
    ready.refresh_from_db()
    blocked.refresh_from_db()
    assert ready.stage == "discovery" and blocked.stage == "poc"
    assert "no KPI with a target" in response.content.decode()


def test_contributors_cannot_use_the_admin_for_initiatives(contributor):
    response = page_client(contributor).get(reverse("admin:initiatives_initiative_changelist"))
    assert response.status_code in (302, 403)


def test_the_seed_command_creates_the_requested_volume(capsys):
    call_command("seed", "--people", "5", "--initiatives", "7", "--kpis", "9", "--measurements-per-kpi", "11")
    assert Initiative.objects.count() == 7 and KPI.objects.count() == 9
    assert KPIMeasurement.objects.count() == 99
    assert Initiative.objects.filter(key__startswith="INI-").count() == 7
    assert len(set(KPI.objects.with_status().values_list("status", flat=True))) >= 1
    assert "measurements" in capsys.readouterr().out


def test_the_demo_portfolio_is_consistent_with_the_gate():
    from initiatives import gate
    from leadership.demo import create_demo

    ctx = create_demo()
    assert len(ctx["initiatives"]) == 12 and len(ctx["kpis"]) == 30
    assert KPIMeasurement.objects.filter(source="demo").count() > 30 * 12
    for initiative in Initiative.objects.filter(stage__in=("pilot", "production")):
        assert gate.MSG_NO_KPI_WITH_TARGET not in gate.failed_reasons(initiative, initiative.stage)
    statuses = set(KPI.objects.with_status().values_list("status", flat=True))
    assert {"green", "amber", "red", "grey"} <= statuses
