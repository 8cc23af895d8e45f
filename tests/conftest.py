"""Shared fixtures: personas (one user per role, an outsider with no role, anonymous), clients for
pages and the API, and query-count helpers. Every test module builds on these."""

import contextlib
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from knox.models import AuthToken
from pytest_django.plugin import blocking_manager_key
from rest_framework.test import APIClient

from tests import databases
from tests.factories.people import PersonFactory, UserFactory
from vpportal.permissions import ROLES

PERSONAS = (*ROLES, "outsider")

ROOT = Path(__file__).resolve().parents[1]
# The tests that run the production profile in processes of their own (tests/production/processes.py).
PRODUCTION_TESTS = (ROOT / "tests" / "production", ROOT / "tests" / "security" / "test_deploy.py")
_BUILDER = pytest.StashKey[subprocess.Popen]()


def _is_production_test(path: Path) -> bool:
    return any(path == wanted or wanted in path.parents for wanted in PRODUCTION_TESTS)


def _runs_production_tests(config) -> bool:
    """Whether the run's arguments name a production-profile test or a folder holding one."""
    paths = [(config.invocation_params.dir / arg.split("::")[0]).resolve() for arg in config.args]
    return any(
        _is_production_test(path) or any(path in wanted.parents for wanted in PRODUCTION_TESTS) for path in paths
    )


def _is_xdist_controller(config) -> bool:
    return not hasattr(config, "workerinput") and bool(config.getoption("numprocesses", default=None))


def pytest_sessionstart(session):
    """On the controller of a parallel run that includes the production-profile tests, start building
    what they share (the migrated database, the collected static files) in the background: the
    worker that first needs one finds it ready or waits for it, instead of building it while the
    other worker waits (tests/production/prepare.py)."""
    config = session.config
    if not _is_xdist_controller(config) or not _runs_production_tests(config):
        return
    shared = config._tmp_path_factory.getbasetemp()  # the workers' base temps are folders of it
    with open(shared / "production-prepare.log", "w") as log:
        config.stash[_BUILDER] = subprocess.Popen(
            [sys.executable, "-m", "tests.production.prepare", str(shared)], cwd=ROOT, stdout=log, stderr=log
        )


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """The production-profile tests run last: by then the background build (pytest_sessionstart) is
    done. xdist's worksteal hands each worker a contiguous share of this order, and a worker that
    runs out steals from the end of another's."""
    items.sort(key=lambda item: _is_production_test(item.path))


def pytest_sessionfinish(session):
    builder = session.config.stash.get(_BUILDER, None)
    if builder is not None and builder.poll() is None:  # a run that ended before it was needed
        builder.terminate()
        builder.wait(timeout=30)
    if _is_xdist_controller(session.config):
        with session.config.stash[blocking_manager_key].unblock():
            databases.drop_template()  # the workers' copies are theirs to drop


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory, django_db_blocker):
    """An xdist worker's test database is a copy of the run's migrated template (tests/databases.py)."""
    if not databases.cloned():
        yield
        return
    with django_db_blocker.unblock():
        databases.copy_template(tmp_path_factory)
    yield
    with django_db_blocker.unblock():
        databases.drop_copy()


@pytest.fixture(scope="session")
def django_db_keepdb(request):
    """A copied database is kept by Django's creation (it migrates nothing) and dropped by the
    fixture that copied it."""
    return databases.cloned() or request.config.getvalue("reuse_db")


def make_persona(role: str):
    """A user holding `role` (none for 'outsider') and the Person linked to it."""
    user = UserFactory(
        username=f"{role}-user",
        roles=[] if role == "outsider" else [role],
        is_staff=role in ("executive", "governance"),  # the administrators of the admin site
    )
    PersonFactory(user=user, name=f"{role.capitalize()} Persona", email=f"{role}-user@example.com")
    return user


@pytest.fixture
def personas(db):
    return {role: make_persona(role) for role in PERSONAS}


def persona_fixture(role: str):
    """The fixture named `role`: that persona of `personas`."""

    @pytest.fixture(name=role)
    def persona(personas):
        return personas[role]

    return persona


executive, leader, governance, contributor, auditor, outsider = map(
    persona_fixture, ("executive", "leader", "governance", "contributor", "auditor", "outsider")
)


def page_client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def point_errors(body: dict) -> dict[int, dict[str, list[str]]]:
    """A bulk 400 in the API's error shape (`{"detail": ..., "3.value": [...], "3": [...]}`) read back
    by point: {index: {field: messages}}, field "" for the point as a whole."""
    found: dict[int, dict[str, list[str]]] = {}
    for key, messages in body.items():
        if key == "detail":
            continue
        index, _, field = key.partition(".")
        found.setdefault(int(index), {})[field] = messages
    return found


def api_client(user=None) -> APIClient:
    """An API client that authenticates with a real (hashed, knox) token, as integrations do."""
    client = APIClient()
    if user is not None:
        _, key = AuthToken.objects.create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def as_page():
    return page_client


@pytest.fixture
def as_api():
    return api_client


@pytest.fixture(autouse=True)
def _fresh_caches(settings):
    """Throttle counters and axes state live in the cache, the feed's verdicts per role set in the
    process: start each test clean."""
    from django.core.cache import cache

    from vpportal.events import querysets

    cache.clear()
    querysets._VERDICTS.clear()


@pytest.fixture(scope="module")
def celery_worker(django_db_setup, django_db_blocker, tmp_path_factory):
    """A real `celery -A vpportal worker` (tests/workers.py) for the module whose tests use it, on the
    local Redis and this process's own queue; tests using it need `django_db(transaction=True)`.
    Stopped after the module: a worker left running would read the test database while later
    tests flush it (PostgreSQL then reports a deadlock on the TRUNCATE)."""
    from tests.workers import Worker

    worker = Worker(tmp_path_factory.mktemp("celery") / "worker.log").start()
    yield worker
    worker.stop()
    _drop_test_queue()


def _drop_test_queue():
    import redis
    from django.conf import settings

    with contextlib.suppress(redis.RedisError):
        redis.Redis.from_url(settings.CELERY_BROKER_URL).delete(settings.CELERY_TASK_DEFAULT_QUEUE)


class Migrator:
    """Moves a database to older (or newer) migrations and gives the historical models there."""

    def __init__(self):
        from django.db import connection
        from django.db.migrations.executor import MigrationExecutor

        self._executor = lambda: MigrationExecutor(connection)
        self.leaves = self._executor().loader.graph.leaf_nodes()

    def latest(self, app_label: str) -> tuple[str, str]:
        return max(node for node in self.leaves if node[0] == app_label)

    def to(self, targets):
        """Migrate to `targets` (a list of (app, migration)) and return that state's apps. Apps not
        named (and not depended on) stay where they are."""
        executor = self._executor()
        executor.migrate(targets)
        executor.loader.build_graph()
        return executor.loader.project_state(targets).apps

    def restore(self):
        return self.to(self.leaves)


@contextlib.contextmanager
def scratch_database():
    """The default connection on an empty database of its own (beside this worker's test database,
    dropped after), inside the block; then on the test database again, untouched."""
    from django.db import connection

    test_name = connection.settings_dict["NAME"]
    connection.close()
    if connection.vendor == "sqlite":
        name = f"{test_name}.migrations"

        def drop():
            for suffix in ("", "-journal", "-wal", "-shm"):
                Path(name + suffix).unlink(missing_ok=True)

        drop()
    else:
        name = f"{test_name}_migrations"
        quoted = connection.ops.quote_name(name)

        def drop():
            with connection._nodb_cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {quoted}")

        drop()
        with connection._nodb_cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {quoted}")
    connection.settings_dict["NAME"] = name
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = test_name
        drop()


@pytest.fixture
def migrator(transactional_db):
    """Migrations run forward from an empty scratch database (scratch_database), to the nodes the
    test names: `to()` migrates only those apps and what they depend on, so a test pays for the part
    of the chain it is about, and the test database is never rolled back (on SQLite every step back
    rebuilds tables, and the restore re-ran most of the chain)."""
    with scratch_database():
        yield Migrator()


@pytest.fixture
def migrator_in_place(transactional_db):
    """A Migrator on the test database itself, for a test that starts from rows the current models
    wrote. Rolling one app back also rolls back the migrations of other apps that depend on it; the
    teardown brings *every* app back to its latest migration, so later tests on this worker find
    the whole schema (a partial restore once left governance's incident tables missing)."""
    migrator = Migrator()
    yield migrator
    migrator.restore()


# The real MLflow server (started once per session, when a test first asks for it) and its fixtures.
from tests.registry.fixtures import gate, mlflow, mlflow_server, source  # noqa: E402, F401
