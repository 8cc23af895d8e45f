"""Background jobs run on a real worker process (Redis broker, the test database)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories.risks import RiskFactory
from tests.workers import wait_for
from vpportal.events.models import Event
from vpportal.events.outbox import record_event
from vpportal.events.tasks import prune_events_task

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_retention_job_runs_on_the_worker(celery_worker, executive):
    old, fresh = (record_event(r, "risk.updated", by=executive) for r in RiskFactory.create_batch(2))
    Event.objects.filter(pk=old.pk).update(occurred_at=timezone.now() - timedelta(days=400))
    prune_events_task.delay()
    assert wait_for(lambda: not Event.objects.filter(pk=old.pk).exists())
    assert Event.objects.filter(pk=fresh.pk).exists()


def test_the_embedded_broker_carries_jobs_across_processes(tmp_path):
    """`make run` without Redis: kombu's file-system transport in a folder. A job sent by one
    process (`celery call`) is run by a worker in another."""
    import subprocess
    import sys

    from tests.workers import ROOT, Worker, worker_env

    embedded = {"CELERY_BROKER_URL": "", "CELERY_QUEUE_DIR": str(tmp_path / "broker"), "CELERY_QUEUE": "embedded"}
    worker = Worker(tmp_path / "embedded.log", concurrency=1, **embedded).start()
    try:
        sent = subprocess.run(
            [sys.executable, "-m", "celery", "-A", "vpportal", "call", "vpportal.events.tasks.prune_events_task"]
            + ["--queue", "embedded"],
            cwd=ROOT,
            env=worker_env(**embedded),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert sent.returncode == 0, sent.stderr
        task_id = sent.stdout.strip()
        assert wait_for(lambda: f"[{task_id}] succeeded" in (tmp_path / "embedded.log").read_text())
    finally:
        worker.stop()
