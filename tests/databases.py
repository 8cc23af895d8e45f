"""Each xdist worker's test database is a copy of one database the run migrated once.

Migrating from empty costs 20-25 s of Python per database (Django re-renders the models' states after
every operation), and every worker used to pay it at the same moment, on the same two cores, before
its first test: 25 s each on a quiet machine, 80 s under load. Now the first worker to ask migrates a
template with Django's own test-database creation (the same code and settings as before, only under
another name), and every worker copies it: `CREATE DATABASE ... TEMPLATE` on PostgreSQL, a file copy on
SQLite. pytest-django then finds the worker's database present (keepdb) and migrates nothing.

A run without xdist creates its database as Django does.
"""

import os
import shutil
from pathlib import Path

from django.conf import settings
from django.db import connections

from tests.run_once import built_once, shared_dir

TEMPLATE = "test-database-template"


def cloned() -> bool:
    """Whether this process's test database is a copy of the run's template (xdist workers only)."""
    return bool(os.environ.get("PYTEST_XDIST_WORKER"))


def _create(connection, name: str) -> None:
    """A migrated test database named `name`, made by Django's test-database creation."""
    test, saved_name = connection.settings_dict["TEST"], connection.settings_dict["NAME"]
    saved_test_name = test.get("NAME")
    test["NAME"] = name
    try:
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False, keepdb=False)
    finally:
        connection.close()
        test["NAME"] = saved_test_name
        connection.settings_dict["NAME"] = saved_name
        settings.DATABASES[connection.alias]["NAME"] = saved_name


def template_name(connection) -> str:
    """The run's PostgreSQL template: beside the workers' `test_<name>_gwN`."""
    return f"test_{connection.settings_dict['NAME']}_template"


def copy_template(tmp_path_factory, alias: str = "default") -> None:
    """Make this worker's test database (its test name, after pytest-django's xdist suffix) a copy of
    the run's migrated template, building the template first if no worker has."""
    connection = connections[alias]
    target = connection.creation._get_test_db_name()
    shared = shared_dir(tmp_path_factory)
    if connection.vendor == "sqlite":
        built = built_once(shared, TEMPLATE, lambda partial: _create(connection, str(partial)))
        for suffix in ("-journal", "-wal", "-shm"):
            Path(target + suffix).unlink(missing_ok=True)
        shutil.copyfile(built, target)
        return
    template = template_name(connection)

    def build(partial: Path) -> None:
        _create(connection, template)
        partial.write_text(template)  # the marker: the template database is complete

    built_once(shared, TEMPLATE, build)
    quote = connection.ops.quote_name
    with connection._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {quote(target)}")
        cursor.execute(f"CREATE DATABASE {quote(target)} TEMPLATE {quote(template)}")


def drop_template(alias: str = "default") -> None:
    """Drop the run's PostgreSQL template (the controller, at the end of the run)."""
    connection = connections[alias]
    if connection.vendor == "sqlite":
        return  # a file in the run's temporary folder
    with connection._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(template_name(connection))}")


def drop_copy(alias: str = "default") -> None:
    """Drop this worker's copy (pytest-django keeps it: keepdb)."""
    connection = connections[alias]
    connection.close()
    connection.creation._destroy_test_db(connection.creation._get_test_db_name(), verbosity=0)
