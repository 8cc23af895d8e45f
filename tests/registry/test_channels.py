"""Model sources and model versions in every channel: pages, admin and API, for each role, with
pinned query counts; "Sync now" and approve/reject through the page and the API."""

import pytest
from django.urls import reverse

from governance.models import AISystem
from governance.services.risks import aisystem_update
from integrations.models import AISystemVersion, ModelSource
from integrations.registry import sync_source
from tests.conftest import api_client, page_client
from tests.registry.fixtures import register


@pytest.fixture
def synced(source, mlflow, executive):
    for n in range(3):
        register(mlflow, f"model-{n}", 2, run=False)
    sync_source(source)
    for system in AISystem.objects.all():
        aisystem_update(system, by=executive, data={"eu_ai_act_tier": "minimal"})
    return source


def test_managers_create_a_source_on_the_page_and_sync_it_now(governance, mlflow, gate):
    register(mlflow, "page-model", 1, run=False)
    client = page_client(governance)
    response = client.post(
        reverse("integrations:modelsource_add"), {"name": "Main", "tracking_uri": gate.url, "active": "on"}
    )
    assert response.status_code == 302, response.content[:2000]
    source = ModelSource.objects.get()
    synced = client.post(reverse("integrations:modelsource_sync", args=[source.pk]), follow=True)
    assert "1 versions created" in synced.content.decode()
    assert "page-model" in synced.content.decode()


def test_a_bad_token_variable_is_a_field_error(governance):
    response = page_client(governance).post(
        reverse("integrations:modelsource_add"),
        {"name": "X", "tracking_uri": "http://127.0.0.1:1", "token_env": "my token"},
    )
    assert response.status_code == 200 and "token_env" in response.context["form"].errors
    assert not ModelSource.objects.exists()


def test_the_list_explains_how_to_connect_mlflow_when_there_is_no_source(governance):
    assert "Connecting MLflow" in page_client(governance).get(reverse("integrations:modelsource_list")).content.decode()


@pytest.mark.parametrize("role", ["leader", "contributor", "auditor"])
def test_other_roles_read_versions_but_not_sources(personas, synced, role):
    client = page_client(personas[role])
    assert client.get(reverse("integrations:modelsource_list")).status_code == 403
    assert client.post(reverse("integrations:modelsource_sync", args=[synced.pk])).status_code == 403
    version = AISystemVersion.objects.first()
    assert client.get(reverse("integrations:aisystemversion_list")).status_code == 200
    assert client.get(version.get_absolute_url()).status_code == 200
    assert client.post(reverse("integrations:aisystemversion_approve", args=[version.pk])).status_code == 403
    assert api_client(personas[role]).post(f"/api/v1/ai-system-versions/{version.pk}/approve/").status_code == 403


def test_the_outsider_sees_nothing(personas, synced):
    client = page_client(personas["outsider"])
    assert client.get(reverse("integrations:aisystemversion_list")).status_code == 403
    assert api_client(personas["outsider"]).get("/api/v1/ai-system-versions/").status_code == 403


def test_approving_on_the_page_shows_the_registry_status(synced, governance):
    version = AISystemVersion.objects.first()
    client = page_client(governance)
    response = client.post(
        reverse("integrations:aisystemversion_approve", args=[version.pk]), {"version": version.version}, follow=True
    )
    assert "being written to the registry" in response.content.decode()
    version.refresh_from_db()
    assert version.approval == "approved"


def test_the_version_list_and_detail_take_constant_queries(synced, governance, django_assert_num_queries):
    client = page_client(governance)
    client.get(reverse("integrations:aisystemversion_list"))  # warm the session
    # session, user, roles, count, the user's and its groups' permissions (the admin link), the AI
    # systems of the filter, the page's rows (relations joined)
    with django_assert_num_queries(8):
        response = client.get(reverse("integrations:aisystemversion_list"))
    assert response.content.decode().count("model-") >= 6
    version = AISystemVersion.objects.first()
    with django_assert_num_queries(7):  # as the list, less the count and the filter, plus the gate's risks
        assert client.get(version.get_absolute_url()).status_code == 200


def test_the_api_lists_versions_in_constant_queries(synced, governance, django_assert_num_queries):
    client = api_client(governance)
    client.get("/api/v1/ai-system-versions/")
    with django_assert_num_queries(4):
        answer = client.get("/api/v1/ai-system-versions/")
    assert answer.status_code == 200 and answer.json()["count"] == 6
    row = answer.json()["results"][0]
    assert {"ai_system", "model_version", "aliases", "stage", "run_id", "source", "registered_at", "metrics"} <= set(
        row
    )
    assert {"approval", "approved_by", "approved_at", "registry_confirmed", "model_source", "model_name"} <= set(row)
    assert client.get("/api/v1/ai-system-versions/?approval=pending").json()["count"] == 6


def test_the_api_syncs_and_decides(synced, governance, mlflow):
    client = api_client(governance)
    register(mlflow, "api-model", 1, run=False)
    answer = client.post(f"/api/v1/model-sources/{synced.pk}/sync/")
    assert answer.status_code == 200, answer.content
    assert answer.json()["registered_models"] == {"created": 1, "unchanged": 3}
    assert answer.json()["versions"] == {"created": 1, "unchanged": 6}

    version = AISystemVersion.objects.exclude(ai_system__name="api-model").first()
    etag = client.get(f"/api/v1/ai-system-versions/{version.pk}/")["ETag"]
    assert client.post(f"/api/v1/ai-system-versions/{version.pk}/reject/", {}, format="json").status_code == 400
    assert (
        client.post(
            f"/api/v1/ai-system-versions/{version.pk}/approve/", {}, format="json", HTTP_IF_MATCH='"0-0"'
        ).status_code
        == 412
    )
    approved = client.post(f"/api/v1/ai-system-versions/{version.pk}/approve/", {}, format="json", HTTP_IF_MATCH=etag)
    assert approved.status_code == 200 and approved.json()["approval"] == "approved"
    assert client.post(f"/api/v1/ai-system-versions/{version.pk}/approve/", {}, format="json").status_code == 409
    unassessed = AISystemVersion.objects.get(ai_system__name="api-model")
    refused = client.post(f"/api/v1/ai-system-versions/{unassessed.pk}/approve/", {}, format="json")
    assert refused.status_code == 409 and refused.json()["failed_checks"]
    # Versions are read-only in the API: the sync writes them.
    assert client.patch(f"/api/v1/ai-system-versions/{version.pk}/", {"stage": "x"}, format="json").status_code == 405


def test_the_api_answers_502_when_the_registry_is_down(synced, governance, gate):
    gate.down = True
    answer = api_client(governance).post(f"/api/v1/model-sources/{synced.pk}/sync/")
    assert answer.status_code == 502 and "could not be reached" in answer.json()["detail"]


def test_model_sources_in_the_api(governance, leader, django_assert_num_queries, gate):
    client = api_client(governance)
    created = client.post(
        "/api/v1/model-sources/", {"name": "A", "tracking_uri": gate.url, "token_env": "A_TOKEN"}, format="json"
    )
    assert created.status_code == 201, created.content
    assert created.json()["token_env"] == "A_TOKEN" and "last_sync_result" in created.json()
    assert (
        client.post("/api/v1/model-sources/", {"name": "B", "tracking_uri": "nope"}, format="json").status_code == 400
    )
    assert api_client(leader).get("/api/v1/model-sources/").status_code == 403
    with django_assert_num_queries(4):  # token and user, roles, count, rows
        assert client.get("/api/v1/model-sources/").json()["count"] == 1


def test_admin_lists_sources_and_versions(executive, synced):
    client = page_client(executive)
    assert client.get(reverse("admin:integrations_modelsource_changelist")).status_code == 200
    assert client.get(reverse("admin:integrations_aisystemversion_changelist")).status_code == 200
    version = AISystemVersion.objects.first()
    assert client.get(reverse("admin:integrations_aisystemversion_change", args=[version.pk])).status_code == 200
