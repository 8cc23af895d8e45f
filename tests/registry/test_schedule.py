"""The scheduled sync: every MODEL_SYNC_MINUTES on Celery beat, `model_sync_task` syncs each active
source and writes back every decision the registry has not confirmed (a write-back task lost with
the broker is not lost for ever). Run here with Celery's eager mode, so the tasks it queues run in
this process against the real MLflow server."""

import json
import subprocess
import sys

import pytest
from django.conf import settings

from governance.models import AISystem
from governance.services.risks import aisystem_update
from integrations.models import AISystemVersion, Approval, ModelSource
from integrations.registry import model_source_create, sync_source, version_decide
from integrations.tasks import model_sync_task
from tests.production.processes import free_port
from tests.registry.fixtures import register
from tests.workers import ROOT, worker_env


@pytest.fixture
def eager(monkeypatch):
    from vpportal.celery import app

    monkeypatch.setattr(app.conf, "task_always_eager", True)


def test_beat_runs_the_sync_every_model_sync_minutes():
    assert settings.CELERY_BEAT_SCHEDULE["model-sync"] == {
        "task": "integrations.tasks.model_sync_task",
        "schedule": settings.MODEL_SYNC_MINUTES * 60,
    }
    code = "import django; django.setup(); from django.conf import settings as s; import json; "
    code += "print(json.dumps([s.MODEL_SYNC_MINUTES, s.CELERY_BEAT_SCHEDULE['model-sync']['schedule']]))"
    for env, expected in (({}, [15, 900]), ({"MODEL_SYNC_MINUTES": "2.5"}, [2.5, 150])):
        base = {k: v for k, v in worker_env().items() if k != "MODEL_SYNC_MINUTES"}
        out = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, check=True
        )
        assert json.loads(out.stdout.strip().splitlines()[-1]) == expected
    refused = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**worker_env(), "MODEL_SYNC_MINUTES": "0"}, capture_output=True
    )
    assert refused.returncode != 0 and b"MODEL_SYNC_MINUTES must be a positive" in refused.stderr


def test_the_scheduled_job_syncs_active_sources_and_writes_back_unconfirmed_decisions(
    source, mlflow, gate, executive, governance, eager
):
    closed = model_source_create(
        by=executive, data={"name": "Off", "tracking_uri": f"http://127.0.0.1:{free_port()}", "active": False}
    )
    register(mlflow, "scheduled", 1, run=False)
    sync_source(source)
    aisystem_update(AISystem.objects.get(name="scheduled"), by=executive, data={"eu_ai_act_tier": "minimal"})
    # The decision's own write-back task is never queued here (its on-commit hook does not run in
    # the test's transaction), as when the broker was down: the decision stays unconfirmed.
    version_decide(AISystemVersion.objects.get(), by=governance, decision=Approval.APPROVED)
    assert AISystemVersion.objects.awaiting_writeback().count() == 1
    mlflow.create_model_version("scheduled", source="s3://models/scheduled")

    assert model_sync_task.apply().get() == 1  # one active source

    assert AISystemVersion.objects.count() == 2  # the new version came in
    decided = AISystemVersion.objects.get(model_version="1")
    assert decided.registry_confirmed
    assert mlflow.get_model_version("scheduled", "1").tags["vpportal.approval"] == "approved"
    closed.refresh_from_db()
    assert closed.last_synced_at is None  # an inactive source is left alone
    assert ModelSource.objects.get(pk=source.pk).last_sync_result["ok"] is True


def test_a_failing_scheduled_sync_is_kept_on_the_source_not_raised(source, mlflow, gate, eager):
    gate.down = True
    assert model_sync_task.apply().get() == 1
    source.refresh_from_db()
    assert source.last_sync_result["ok"] is False and "could not be reached" in source.last_sync_result["error"]
