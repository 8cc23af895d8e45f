"""`make run`'s demo registry (integrations/demo_registry.py): a model source for a local MLflow only
while one answers there; otherwise none, and the page explains how to connect one. Never another
host."""

import pytest
from django.urls import reverse

from governance.models import AISystem
from integrations.demo_registry import DEMO_SOURCE_NAME, connect, is_local
from integrations.models import AISystemVersion, ModelSource
from tests.conftest import page_client
from tests.production.processes import free_port
from tests.registry.fixtures import register


def test_a_running_local_registry_gets_the_demo_source_synced_once(db, mlflow, gate, executive):
    register(mlflow, "demo-churn", 2, run=False)

    said = connect(by=executive, uri=gate.url)

    assert "synced: 2 new versions" in said
    source = ModelSource.objects.get()
    assert (source.name, source.tracking_uri, source.active) == (DEMO_SOURCE_NAME, gate.url, True)
    assert AISystem.objects.filter(name="demo-churn").exists() and AISystemVersion.objects.count() == 2
    # `make run` again: the same source, nothing new.
    assert "synced: 0 new versions" in connect(by=executive, uri=gate.url)
    assert ModelSource.objects.count() == 1


def test_no_registry_running_means_no_demo_source_and_the_page_explains(db, mlflow, gate, executive, governance):
    connect(by=executive, uri=gate.url)
    assert ModelSource.objects.filter(name=DEMO_SOURCE_NAME).exists()
    closed = f"http://127.0.0.1:{free_port()}"

    said = connect(by=executive, uri=closed)

    assert f"No MLflow server at {closed}" in said
    assert not ModelSource.objects.exists()
    page = page_client(governance).get(reverse("integrations:modelsource_list")).content.decode()
    assert 'id="connect-mlflow"' in page and "Connecting MLflow" in page


def test_a_running_registry_down_later_is_not_kept_as_a_broken_source(db, mlflow, gate, executive):
    connect(by=executive, uri=gate.url)
    gate.down = True  # the connection is cut: the health check fails as for a stopped server
    connect(by=executive, uri=gate.url)
    assert not ModelSource.objects.exists()


@pytest.mark.parametrize(
    "uri, local",
    [
        ("http://127.0.0.1:5000", True),
        ("http://localhost:5000", True),
        ("http://[::1]:5000", True),
        ("http://127.3.2.1:5000", True),
        ("https://mlflow.example.com", False),
        ("http://10.0.0.5:5000", False),
        ("file:///tmp/mlruns", False),
        ("127.0.0.1:5000", False),
    ],
)
def test_only_this_machine_is_asked(uri, local):
    assert is_local(uri) is local


def test_a_remote_demo_uri_is_refused_without_asking_it(db, executive, settings):
    settings.MLFLOW_DEMO_TRACKING_URI = "https://mlflow.example.com"
    said = connect(by=executive)
    assert "must be on this machine" in said
    assert not ModelSource.objects.exists()
