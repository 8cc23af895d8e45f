"""Fixtures of the model-registry tests, made available to every test by tests/conftest.py (so one
server serves the registry and the browser tests): one real `mlflow server` per test session
(tests/registry/server.py), seeded through MLflow's own client (REST); each test starts from an
empty registry."""

import pytest

from tests.registry.server import Gate, MlflowServer


@pytest.fixture(scope="session")
def mlflow_server():
    server = MlflowServer.running_or_started()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def gate(mlflow_server):
    gate = Gate(mlflow_server.port)
    yield gate
    gate.close()


@pytest.fixture
def mlflow(mlflow_server, gate, settings):
    """MLflow's own client on the real server, with an empty registry; the portal's sync goes
    through `gate` (source fixture)."""
    from mlflow.tracking import MlflowClient

    settings.MLFLOW_BACKOFF_SECONDS = 0.01
    settings.MLFLOW_TIMEOUT_SECONDS = 10
    settings.MLFLOW_RETRIES = 2
    client = MlflowClient(tracking_uri=mlflow_server.url, registry_uri=mlflow_server.url)
    empty_registry(client)
    gate.reset()
    yield client
    gate.reset()


def empty_registry(client):
    """Delete every registered model (their versions go with them)."""
    while models := client.search_registered_models(max_results=100):
        for model in models:
            client.delete_registered_model(model.name)


@pytest.fixture
def source(db, mlflow, gate, executive):
    from integrations.registry import model_source_create

    return model_source_create(by=executive, data={"name": "Team registry", "tracking_uri": gate.url})


def register(client, name, versions=1, *, metrics=None, description="", run=True):
    """A registered model with `versions` versions, each from a run of its own that logged
    `metrics` ({key: [values...]}, one point a step)."""
    client.create_registered_model(name, description=description)
    made = []
    for _ in range(versions):
        run_id = None
        if run:
            experiment = client.get_experiment_by_name("registry-tests") or None
            experiment_id = experiment.experiment_id if experiment else client.create_experiment("registry-tests")
            run_id = client.create_run(experiment_id).info.run_id
            for key, values in (metrics or {}).items():
                for step, value in enumerate(values):
                    client.log_metric(run_id, key, value, step=step)
        source = f"runs:/{run_id}/model" if run_id else f"s3://models/{name}"
        made.append(client.create_model_version(name, source=source, run_id=run_id))
    return made
