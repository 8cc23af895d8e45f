"""The sync against a real MLflow server: models in as AI systems, versions as AI system versions,
idempotent, renames and deletions reported, paging, failures leave nothing half-written."""

import pytest

from governance.models import AISystem
from integrations.mlflow_client import RegistryError
from integrations.models import AISystemVersion, Approval, RegisteredModel
from integrations.registry import sync_source
from tests.registry.fixtures import register
from vpportal.events.models import Event


def counts():
    return (
        AISystem.objects.count(),
        AISystemVersion.objects.count(),
        AISystem.history.count(),
        AISystemVersion.history.count(),
        Event.objects.count(),
    )


def test_it_brings_models_in_as_systems_and_versions_as_pending_versions(source, mlflow):
    made = register(mlflow, "churn-model", 2, metrics={"auc": [0.7, 0.81]}, description="Predicts churn")
    mlflow.set_registered_model_alias("churn-model", "champion", "2")

    report = sync_source(source)

    assert report["registered_models"] == {"created": 1}
    assert report["versions"] == {"created": 2}
    system = AISystem.objects.get(name="churn-model")
    assert system.purpose == "Predicts churn"
    v1, v2 = AISystemVersion.objects.filter(ai_system=system).order_by("model_version")
    assert (v1.model_version, v2.model_version) == ("1", "2")
    assert v2.aliases == ["champion"] and v1.aliases == []
    assert v2.run_id == made[1].run_id and v2.source == f"runs:/{made[1].run_id}/model"
    assert v2.metrics == {"auc": 0.81}  # the run's metrics at registration (its latest values)
    assert v2.approval == Approval.PENDING and not v2.registry_confirmed
    assert v2.registered_at is not None
    assert Event.objects.filter(type="ai_system_version.registered").count() == 2
    source.refresh_from_db()
    assert source.last_sync_result["ok"] and source.last_synced_at is not None


def test_a_second_sync_changes_nothing(source, mlflow):
    register(mlflow, "fraud", 2)
    register(mlflow, "pricing", 1, run=False)
    sync_source(source)
    before = counts()

    report = sync_source(source)

    assert report["registered_models"] == {"unchanged": 2}
    assert report["versions"] == {"unchanged": 3}
    assert report["changed"] is False
    assert counts() == before  # no row, no history row, no event


def test_a_changed_alias_updates_the_version_only(source, mlflow):
    register(mlflow, "fraud", 2)
    sync_source(source)
    mlflow.set_registered_model_alias("fraud", "prod", "1")

    report = sync_source(source)

    assert report["versions"] == {"updated": 1, "unchanged": 1}
    assert AISystemVersion.objects.get(model_version="1").aliases == ["prod"]


def test_a_system_typed_in_by_hand_is_linked_not_duplicated(source, mlflow, executive):
    from governance.services.risks import aisystem_create

    typed = aisystem_create(by=executive, data={"name": "recommender", "provider": "in-house"})
    register(mlflow, "recommender", 1)

    report = sync_source(source)

    assert report["registered_models"] == {"linked": 1}
    assert AISystem.objects.filter(name="recommender").count() == 1
    assert AISystemVersion.objects.get().ai_system == typed


def test_a_renamed_model_is_reported_and_keeps_its_system(source, mlflow):
    register(mlflow, "old-name", 1)
    sync_source(source)
    system = AISystem.objects.get(name="old-name")
    mlflow.rename_registered_model("old-name", "new-name")

    report = sync_source(source)

    assert report["renamed"] == [{"from": "old-name", "to": "new-name"}]
    assert report["registered_models"] == {"renamed": 1}
    assert report["versions"] == {"unchanged": 1}
    assert AISystem.objects.count() == 1
    system.refresh_from_db()
    assert system.name == "new-name"
    assert system.history.count() == 2  # created, then renamed: history kept
    assert RegisteredModel.objects.get().previous_names == ["old-name"]


def test_a_deleted_model_is_reported_and_its_system_kept(source, mlflow):
    register(mlflow, "gone", 2)
    register(mlflow, "stays", 1)
    sync_source(source)
    mlflow.delete_registered_model("gone")

    report = sync_source(source)

    assert report["missing"] == ["gone"]
    assert report["versions"] == {"missing": 2, "unchanged": 1}
    assert AISystem.objects.filter(name="gone").exists()
    link = RegisteredModel.objects.get(name="gone")
    assert link.missing_since is not None
    assert not AISystemVersion.objects.filter(registered_model=link, in_registry=True).exists()
    # Reported once: the next sync leaves it alone.
    assert sync_source(source)["missing"] == []


def test_it_reads_every_page(source, mlflow, gate):
    for n in range(5):
        register(mlflow, f"model-{n}", 2, run=False)

    report = sync_source(source, page_size=2)

    assert report["registered_models"] == {"created": 5}
    assert report["versions"] == {"created": 10}
    assert sum("registered-models/search" in path for path in gate.seen) == 3  # 2 + 2 + 1
    assert sum("page_token=" in path for path in gate.seen) >= 2 + 4


def test_a_5xx_page_is_retried(source, mlflow, gate):
    register(mlflow, "m", 1)
    gate.fail_next["model-versions/search"] = 1

    report = sync_source(source)

    assert report["versions"] == {"created": 1}
    assert sum("model-versions/search" in path for path in gate.seen) == 2


def test_a_5xx_page_that_persists_is_a_clear_error_and_writes_nothing(source, mlflow, gate):
    for n in range(3):
        register(mlflow, f"p{n}", 1, run=False)
    before = counts()
    gate.fail_next["model-versions/search"] = 100  # the models' pages arrive, every versions' page is a 503

    with pytest.raises(RegistryError) as failure:
        sync_source(source, page_size=2)

    assert failure.value.status == 503
    assert "answered 503 at model-versions/search after 3 attempts: try again" in failure.value.message
    assert counts() == before
    assert not RegisteredModel.objects.exists()
    gate.reset()
    assert sync_source(source, page_size=2)["versions"] == {"created": 3}


def test_the_server_down_mid_sync_writes_nothing_and_the_next_sync_completes(source, mlflow, gate):
    for n in range(3):
        register(mlflow, f"m{n}", 1, run=False)
    before = counts()
    gate.down_after = 2  # the models' page arrives, the versions' pages do not

    with pytest.raises(RegistryError) as failure:
        sync_source(source, page_size=2)

    assert "could not be reached" in failure.value.message
    assert counts() == before
    source.refresh_from_db()
    assert source.last_sync_result["ok"] is False and "could not be reached" in source.last_sync_result["error"]
    gate.reset()
    report = sync_source(source, page_size=2)
    assert report["registered_models"] == {"created": 3} and report["versions"] == {"created": 3}


def test_the_token_comes_from_the_environment(source, mlflow, gate, monkeypatch, executive):
    from integrations.registry import model_source_update

    register(mlflow, "m", 1)
    gate.token = "s3cret"
    model_source_update(source, by=executive, data={"token_env": "TEAM_MLFLOW_TOKEN"})

    with pytest.raises(RegistryError, match="TEAM_MLFLOW_TOKEN"):
        sync_source(source)
    monkeypatch.setenv("TEAM_MLFLOW_TOKEN", "wrong")
    with pytest.raises(RegistryError, match="refused the token"):
        sync_source(source)
    monkeypatch.setenv("TEAM_MLFLOW_TOKEN", "s3cret")
    assert sync_source(source)["versions"] == {"created": 1}


def test_a_new_version_tells_the_owner_and_governance(source, mlflow, leader, governance, executive):
    from governance.services.risks import aisystem_update
    from integrations.dispatch import fan_out_notifications
    from integrations.models import Notification
    from vpportal.people.models import Person

    register(mlflow, "scoring", 1)
    sync_source(source)
    fan_out_notifications()
    assert set(Notification.objects.values_list("recipient__user__username", flat=True)) == {"governance-user"}
    system = AISystem.objects.get(name="scoring")
    aisystem_update(system, by=executive, data={"owner": Person.objects.of_user(leader)})
    mlflow.create_model_version("scoring", source="s3://models/scoring")

    sync_source(source)
    fan_out_notifications()

    told = Notification.objects.filter(verb="version_registered", text__contains="scoring version 2")
    assert set(told.values_list("recipient__user__username", flat=True)) == {"governance-user", "leader-user"}


def test_a_kpi_feed_adds_the_new_points_once(source, mlflow, executive):
    from initiatives.models import KPI, KPIMeasurement
    from integrations.registry import kpi_feed_set

    kpi = KPI.objects.create(name="Churn AUC")
    kpi_feed_set(by=executive, kpi=kpi, model_source=source, model_name="churn", metric_key="auc")
    (version,) = register(mlflow, "churn", 1, metrics={"auc": [0.6, 0.7, 0.8], "loss": [1.0]})

    assert sync_source(source)["kpi_points_added"] == 3
    points = KPIMeasurement.objects.filter(kpi=kpi).order_by("observed_at")
    assert [p.value for p in points] == [0.6, 0.7, 0.8]
    assert {p.source for p in points} == {"mlflow"}
    history = mlflow.get_metric_history(version.run_id, "auc")
    assert [int(p.observed_at.timestamp() * 1000) for p in points] == sorted(m.timestamp for m in history)

    assert sync_source(source)["kpi_points_added"] == 0
    mlflow.log_metric(version.run_id, "auc", 0.85, step=3)
    assert sync_source(source)["kpi_points_added"] == 1
    assert KPIMeasurement.objects.filter(kpi=kpi).count() == 4


def test_a_renamed_or_deleted_model_is_reported_to_governance(source, mlflow, governance, leader):
    from integrations.dispatch import fan_out_notifications
    from integrations.models import Notification

    register(mlflow, "before", 1, run=False)
    register(mlflow, "doomed", 1, run=False)
    sync_source(source)
    fan_out_notifications()
    Notification.objects.all().delete()
    mlflow.rename_registered_model("before", "after")
    mlflow.delete_registered_model("doomed")

    sync_source(source)
    fan_out_notifications()

    (told,) = Notification.objects.filter(verb="registry_changed")
    assert told.recipient.user == governance
    assert told.text == "Model source Team registry: renamed before -> after; gone from the registry: doomed"
    assert not Notification.objects.filter(recipient__user=leader).exists()
    # Nothing changed since: nobody is told again.
    sync_source(source)
    fan_out_notifications()
    assert Notification.objects.filter(verb="registry_changed").count() == 1
