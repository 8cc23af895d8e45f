"""A client generated from the live schema by openapi-python-client, as an integrator would make it,
driven over real HTTP against the live test server: every generated module imports, and a sync
job's scenario works through it without edits (errors parsed into the one `Error` model).

The client is generated once per test session, into a temporary directory."""

import importlib
import json
import pkgutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from django.test import override_settings
from knox.models import AuthToken

from initiatives.models import Initiative, KPIMeasurement
from tests.conftest import make_persona
from tests.factories.people import PersonFactory
from tests.factories.portfolio import KPIFactory

PACKAGE = "vpclient"
GENERATOR = [sys.executable, "-m", "openapi_python_client"]


@pytest.fixture(scope="session")
def generated(live_server, tmp_path_factory):
    """The generated package, every module imported (a module that does not import fails here)."""
    root = tmp_path_factory.mktemp("generated-client")
    with override_settings(API_DOCS_PUBLIC=True):  # the schema as served; no account needed for it here
        served = httpx.get(
            f"{live_server.url}/api/v1/schema/", headers={"Accept": "application/vnd.oai.openapi+json"}, timeout=60
        )
    assert served.status_code == 200, served.text[:300]
    (root / "schema.json").write_text(json.dumps(served.json()))
    # No post hooks: the generator would otherwise run ruff on its output (not needed to import it).
    (root / "config.yaml").write_text("post_hooks: []\n")
    run = subprocess.run(
        [
            *GENERATOR,
            "generate",
            "--path",
            str(root / "schema.json"),
            "--output-path",
            str(root / PACKAGE),
            "--meta",
            "none",
            "--config",
            str(root / "config.yaml"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Warning" not in run.stdout + run.stderr, run.stdout + run.stderr  # nothing skipped
    sys.path.insert(0, str(root))
    try:
        package = importlib.import_module(PACKAGE)
        failed, names = {}, []
        for module in pkgutil.walk_packages(package.__path__, f"{PACKAGE}."):
            names.append(module.name)
            try:
                importlib.import_module(module.name)
            except Exception as exc:  # noqa: BLE001  (each failure is reported by name below)
                failed[module.name] = repr(exc)
        assert not failed, failed
        yield package, names
    finally:
        sys.path.remove(str(root))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def module(name):
    return importlib.import_module(f"{PACKAGE}.{name}")


@pytest.fixture
def client(generated, live_server, transactional_db):
    user = make_persona("executive")
    _, key = AuthToken.objects.create(user=user)
    return module("client").AuthenticatedClient(base_url=live_server.url, token=key, prefix="Token", timeout=60)


def test_every_generated_module_imports(generated):
    _, names = generated
    # One module per operation and per schema component: a client of the whole API, not a stub.
    assert len([n for n in names if n.startswith(f"{PACKAGE}.api.")]) > 120
    assert f"{PACKAGE}.models.error" in names


def test_a_sync_job_works_through_the_generated_client(client):
    api, models = module("api"), module("models")
    create = importlib.import_module(f"{api.__name__}.initiatives.initiatives_create")
    retrieve = importlib.import_module(f"{api.__name__}.initiatives.initiatives_retrieve")
    patch = importlib.import_module(f"{api.__name__}.initiatives.initiatives_partial_update")
    listing = importlib.import_module(f"{api.__name__}.initiatives.initiatives_list")
    owner = PersonFactory(name="Grace Hopper")
    started = datetime.now(UTC) - timedelta(seconds=1)

    # A bad create: 400, read back per field through the Error model.
    refused = create.sync_detailed(client=client, body=models.InitiativeRequest(title="", owner=owner.pk))
    assert refused.status_code == 400 and isinstance(refused.parsed, models.Error)
    assert "title" in refused.parsed.additional_properties and "title" in refused.parsed.detail

    created = create.sync_detailed(
        client=client, body=models.InitiativeRequest(title="Demand forecasting", owner=owner.pk, tags=["sync"])
    )
    assert created.status_code == 201, created.content
    initiative = created.parsed
    assert isinstance(initiative, models.Initiative) and initiative.title == "Demand forecasting"
    etag = created.headers["ETag"]

    # Unchanged since read: 304. Changed by someone else: the stale ETag is refused with a parsed 412.
    assert retrieve.sync_detailed(initiative.id, client=client, if_none_match=etag).status_code == 304
    first = patch.sync_detailed(
        initiative.id, client=client, body=models.PatchedInitiativeRequest(title="Forecasting v2"), if_match=etag
    )
    assert first.status_code == 200 and first.parsed.version == initiative.version + 1
    stale = patch.sync_detailed(
        initiative.id, client=client, body=models.PatchedInitiativeRequest(title="Lost update"), if_match=etag
    )
    assert stale.status_code == 412 and isinstance(stale.parsed, models.Error)
    assert stale.parsed.current_version == first.parsed.version and "If-Match" in stale.parsed.detail
    assert Initiative.objects.get().title == "Forecasting v2"

    # The nightly read: only what changed since the last run, with filters.
    page = listing.sync(client=client, updated_after=started, search="forecasting", limit=10)
    assert isinstance(page, models.PaginatedInitiativeList)
    assert [row.id for row in page.results] == [initiative.id] and page.count == 1 and not page.count_is_estimate
    later = listing.sync(client=client, updated_after=datetime.now(UTC) + timedelta(minutes=5))
    assert later.count == 0 and later.results == []
    too_many = listing.sync_detailed(client=client, limit=5000)
    assert too_many.status_code == 400 and "1000" in too_many.parsed.additional_properties["limit"][0]


def test_bulk_errors_are_read_back_through_the_generated_client(client):
    bulk = module("api.kpi_measurements.kpi_measurements_bulk_create")
    models = module("models")
    kpi = KPIFactory()
    moment = datetime(2025, 1, 31, 9, tzinfo=UTC)
    points = [
        models.KPIMeasurementRequest(kpi=kpi.pk, observed_at=moment, value=0.5, source="ml"),
        models.KPIMeasurementRequest(kpi=999_999, observed_at=moment, value=0.7, source="ml"),
    ]
    refused = bulk.sync_detailed(client=client, body=points)
    assert refused.status_code == 400 and isinstance(refused.parsed, models.Error)
    assert "nothing was written" in refused.parsed.detail
    assert list(refused.parsed.additional_properties) == ["1.kpi"] and "999999" in refused.parsed["1.kpi"][0]
    assert not KPIMeasurement.objects.exists()
    stored = bulk.sync_detailed(client=client, body=points[:1])
    assert stored.status_code == 201 and (stored.parsed.created, stored.parsed.skipped) == (1, 0)


def test_typed_answers_and_errors_parse(client, live_server):
    models = module("models")
    dashboard = module("api.dashboard.dashboard_list").sync(client=client)
    assert isinstance(dashboard, models.Dashboard) and isinstance(dashboard.initiatives.total.count, int)
    audit = module("api.audit.audit_list").sync(client=client, limit=5)
    assert isinstance(audit, models.AuditPage) and audit.count_is_estimate is False
    missing = module("api.initiatives.initiatives_retrieve").sync_detailed(999_999, client=client)
    assert missing.status_code == 404 and isinstance(missing.parsed, models.Error)
    anonymous = module("client").Client(base_url=live_server.url, timeout=60)
    unauthenticated = module("api.initiatives.initiatives_list").sync_detailed(client=anonymous)
    assert unauthenticated.status_code == 401 and isinstance(unauthenticated.parsed, models.Error)
