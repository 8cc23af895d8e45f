"""AI systems, risks and mitigations through pages, API and admin: each role may do what PRODUCT.md
says and nothing more; bad input gets field errors; stale versions are refused; history has the actor."""

import pytest
from django.urls import reverse

from governance.models import AISystem, Mitigation, Risk
from tests.conftest import PERSONAS, api_client, page_client
from tests.factories.risks import AISystemFactory, MitigationFactory, RiskFactory

pytestmark = pytest.mark.django_db

READERS = ("executive", "leader", "governance", "contributor", "auditor")
WRITERS = {
    "aisystem": ("executive", "leader"),
    "risk": ("executive", "leader", "governance"),
    "mitigation": ("executive", "leader", "governance"),
}
ENDPOINTS = {"aisystem": "ai-systems", "risk": "risks", "mitigation": "mitigations"}


def payloads():
    system = AISystemFactory()
    risk = RiskFactory(ai_system=system)
    return {
        "aisystem": {
            "name": "Churn predictor",
            "kind": "classifier",
            "provider": "in-house",
            "lifecycle_status": "design",
            "eu_ai_act_tier": "minimal",
            "processes_personal_data": True,
        },
        "risk": {
            "title": "Churn predictor drifts",
            "category": "robustness",
            "ai_system": system.pk,
            "likelihood": 3,
            "impact": 4,
            "status": "identified",
        },
        "mitigation": {"risk": risk.pk, "description": "Weekly drift monitor", "status": "planned"},
    }


def factory_for(kind):
    return {"aisystem": AISystemFactory, "risk": RiskFactory, "mitigation": MitigationFactory}[kind]


MODELS = {"aisystem": AISystem, "risk": Risk, "mitigation": Mitigation}


@pytest.mark.parametrize("kind", WRITERS)
@pytest.mark.parametrize("role", PERSONAS)
def test_each_role_reads_lists_and_details_only_with_a_role(personas, role, kind):
    record = factory_for(kind)()
    client = page_client(personas[role])
    expected = 200 if role in READERS else 403
    assert client.get(reverse(f"governance:{kind}_list")).status_code == expected
    detail = client.get(reverse(f"governance:{kind}_detail", args=[record.pk]))
    assert detail.status_code == (expected if kind != "mitigation" or expected == 403 else 302)
    assert client.get(reverse(f"governance:{kind}_history", args=[record.pk])).status_code == expected
    api = api_client(personas[role])
    assert api.get(f"/api/v1/{ENDPOINTS[kind]}/").status_code == expected
    assert api.get(f"/api/v1/{ENDPOINTS[kind]}/{record.pk}/").status_code == (200 if role in READERS else 403)


@pytest.mark.parametrize("kind", WRITERS)
@pytest.mark.parametrize("role", PERSONAS)
def test_only_writers_create_edit_and_delete_through_the_api(personas, role, kind):
    data = payloads()[kind]
    record = factory_for(kind)()
    client = api_client(personas[role])
    create = client.post(f"/api/v1/{ENDPOINTS[kind]}/", data, format="json")
    # A field each resource has (an unknown field is a 400 of its own, not a permission question).
    change = {"provider": "Changed"} if kind == "aisystem" else {"description": "Changed"}
    update = client.patch(f"/api/v1/{ENDPOINTS[kind]}/{record.pk}/", change, format="json")
    delete = client.delete(f"/api/v1/{ENDPOINTS[kind]}/{record.pk}/")
    if role in WRITERS[kind]:
        assert (create.status_code, update.status_code, delete.status_code) == (201, 200, 204)
    else:
        assert (create.status_code, update.status_code, delete.status_code) == (403, 403, 403)
        assert MODELS[kind].objects.filter(pk=record.pk).exists()


@pytest.mark.parametrize("kind", WRITERS)
@pytest.mark.parametrize("role", PERSONAS)
def test_only_writers_create_through_pages(personas, role, kind):
    data = dict(payloads()[kind])
    if kind == "aisystem":
        data["processes_personal_data"] = "on"
    client = page_client(personas[role])
    assert client.get(reverse(f"governance:{kind}_add")).status_code == (200 if role in WRITERS[kind] else 403)
    before = MODELS[kind].objects.count()
    response = client.post(reverse(f"governance:{kind}_add"), data)
    if role in WRITERS[kind]:
        assert response.status_code == 302, response.context["form"].errors
        assert MODELS[kind].objects.count() == before + 1
    else:
        assert response.status_code == 403 and MODELS[kind].objects.count() == before


def test_risk_api_exposes_derived_scores_read_only(leader):
    created = api_client(leader).post("/api/v1/risks/", payloads()["risk"] | {"inherent_score": 1}, format="json")
    body = created.json()
    assert (body["inherent_score"], body["inherent_level"], body["residual_score"], body["residual_level"]) == (
        12,
        "high",
        12,
        "high",
    )
    assert body["key"] == f"RSK-{body['id']:04d}"


def test_the_api_answers_400_per_field_and_writes_nothing(leader):
    data = payloads()["risk"] | {"likelihood": 9, "category": "wizardry", "residual_impact": 5, "impact": 2}
    response = api_client(leader).post("/api/v1/risks/", data, format="json")
    assert response.status_code == 400
    assert {"likelihood", "category"} <= set(response.json())
    fixed = api_client(leader).post("/api/v1/risks/", data | {"likelihood": 2, "category": "safety"}, format="json")
    assert fixed.status_code == 400 and "residual_impact" in fixed.json()
    assert not Risk.objects.filter(title="Churn predictor drifts").exists()


def test_the_risk_form_shows_field_errors_and_keeps_input(leader):
    data = payloads()["risk"] | {"title": "Kept title", "residual_likelihood": 5, "likelihood": 2}
    response = page_client(leader).post(reverse("governance:risk_add"), data)
    assert response.status_code == 200
    assert "residual_likelihood" in response.context["form"].errors
    assert b"Kept title" in response.content
    assert not Risk.objects.filter(title="Kept title").exists()


def test_a_stale_risk_edit_is_refused_and_keeps_the_input(leader):
    risk = RiskFactory(title="Original")
    stale = risk.version
    api_client(leader).patch(f"/api/v1/risks/{risk.pk}/", {"description": "Elsewhere"}, format="json")
    form = {
        "title": "Mine",
        "category": risk.category,
        "ai_system": risk.ai_system_id,
        "likelihood": 2,
        "impact": 2,
        "status": "identified",
        "version": stale,
    }
    response = page_client(leader).post(reverse("governance:risk_edit", args=[risk.pk]), form)
    assert response.status_code == 200
    assert "Someone else changed this record" in response.content.decode()
    risk.refresh_from_db()
    assert (risk.title, risk.description) == ("Original", "Elsewhere")


@pytest.mark.parametrize("kind", WRITERS)
def test_a_stale_if_match_gets_412_and_changes_nothing(executive, kind):
    record = factory_for(kind)()
    client = api_client(executive)
    url = f"/api/v1/{ENDPOINTS[kind]}/{record.pk}/"
    etag = client.get(url)["ETag"]
    field = {"aisystem": "purpose", "risk": "description", "mitigation": "description"}[kind]
    assert client.patch(url, {field: "First"}, HTTP_IF_MATCH=etag).status_code == 200
    assert client.patch(url, {field: "Second"}, HTTP_IF_MATCH=etag).status_code == 412
    assert client.delete(url, HTTP_IF_MATCH=etag).status_code == 412
    record.refresh_from_db()
    assert getattr(record, field) == "First"


def test_pages_api_and_admin_record_history_with_user_and_channel(executive):
    system = AISystemFactory()
    page_client(executive).post(
        reverse("governance:risk_add"),
        {
            "title": "Hist",
            "category": "privacy",
            "ai_system": system.pk,
            "likelihood": 2,
            "impact": 2,
            "status": "identified",
        },
    )
    risk = Risk.objects.get(title="Hist")
    api_client(executive).patch(f"/api/v1/risks/{risk.pk}/", {"description": "via api"}, format="json")
    admin_form = {
        "title": "Hist",
        "category": "privacy",
        "ai_system": system.pk,
        "likelihood": 3,
        "impact": 2,
        "status": "identified",
        "loaded_version": 2,
        "description": "via api",
    }
    page_client(executive).post(reverse("admin:governance_risk_change", args=[risk.pk]), admin_form)
    rows = list(risk.history.order_by("history_date", "history_id"))
    assert [(r.history_type, r.history_user, r.history_channel) for r in rows] == [
        ("+", executive, "web"),
        ("~", executive, "api"),
        ("~", executive, "admin"),
    ]
    assert rows[-1].likelihood == 3
    body = page_client(executive).get(reverse("governance:risk_history", args=[risk.pk])).content.decode()
    assert "via api" in body and executive.username in body


def test_the_admin_refuses_accepting_without_a_justification(executive):
    risk = RiskFactory()
    form = {
        "title": risk.title,
        "category": risk.category,
        "ai_system": risk.ai_system_id,
        "likelihood": 2,
        "impact": 2,
        "status": "accepted",
        "loaded_version": risk.version,
    }
    response = page_client(executive).post(reverse("admin:governance_risk_change", args=[risk.pk]), form, follow=True)
    assert "Accept risk" in response.content.decode()
    risk.refresh_from_db()
    assert risk.status == "identified"


def test_the_model_card_shows_the_model_card_fields_and_risks(auditor):
    system = AISystemFactory(intended_use="Rank loan applications", known_limitations="Thin-file applicants")
    risk = RiskFactory(ai_system=system, title="Disparate impact")
    body = page_client(auditor).get(system.get_absolute_url()).content.decode()
    for text in ("Model card", "Intended use", "Rank loan applications", "Thin-file applicants", risk.key):
        assert text in body


def test_mitigation_detail_leads_to_its_risk(auditor):
    mitigation = MitigationFactory()
    response = page_client(auditor).get(reverse("governance:mitigation_detail", args=[mitigation.pk]))
    assert response["Location"].startswith(mitigation.risk.get_absolute_url())


def test_mitigations_carry_requirement_ids_in_the_api(executive):
    from governance.models import Framework, Requirement

    framework = Framework.objects.create(code="TEST-FW", title="Test framework")
    requirement = Requirement.objects.create(framework=framework, code="T-1", level="control")
    risk = RiskFactory()
    response = api_client(executive).post(
        "/api/v1/mitigations/",
        {"risk": risk.pk, "description": "Control", "status": "implemented", "requirements": [requirement.pk]},
        format="json",
    )
    assert response.status_code == 201 and response.json()["requirements"] == [requirement.pk]


def test_risk_list_filters_and_csv_export_share_one_filterset(executive):
    overdue = RiskFactory(title="Overdue review", next_review_date="2020-01-01", category="privacy")
    RiskFactory(title="Fresh", next_review_date="2999-01-01", category="privacy")
    RiskFactory(title="Closed overdue", next_review_date="2020-01-01", status="closed")
    api = api_client(executive).get("/api/v1/risks/?review_overdue=true").json()
    assert [r["key"] for r in api["results"]] == [overdue.key]
    page = page_client(executive).get(reverse("governance:risk_list"), {"review_overdue": "true"})
    assert list(page.context["object_list"]) == [Risk.objects.with_scores().get(pk=overdue.pk)]
    csv = page_client(executive).get(reverse("governance:risk_list"), {"category": "privacy", "export": "csv"})
    body = b"".join(csv.streaming_content).decode()
    assert "Overdue review" in body and "Fresh" in body and "Closed overdue" not in body


def test_risks_of_an_initiative_include_those_of_its_systems(executive):
    system = AISystemFactory()
    direct = RiskFactory(ai_system=None, initiative=system.initiative)
    via_system = RiskFactory(ai_system=system)
    RiskFactory()
    keys = {
        r["key"]
        for r in api_client(executive).get(f"/api/v1/risks/?initiative={system.initiative_id}").json()["results"]
    }
    assert keys == {direct.key, via_system.key}


def test_ai_system_inventory_filters(executive):
    AISystemFactory(name="Tiered high", eu_ai_act_tier="high", processes_personal_data=True)
    AISystemFactory(name="Tiered minimal", eu_ai_act_tier="minimal")
    client = api_client(executive)
    assert [s["name"] for s in client.get("/api/v1/ai-systems/?eu_ai_act_tier=high").json()["results"]] == [
        "Tiered high"
    ]
    names = [s["name"] for s in client.get("/api/v1/ai-systems/?processes_personal_data=true").json()["results"]]
    assert names == ["Tiered high"]
    page = page_client(executive).get(reverse("governance:aisystem_list"), {"q": "minimal"})
    assert [s.name for s in page.context["object_list"]] == ["Tiered minimal"]
