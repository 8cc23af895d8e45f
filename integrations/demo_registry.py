"""The model registry of `make run`'s demo: a model source for a local MLflow server, only while one
is running there.

Run by `manage.py demo_data` every time (the demo's records are made once; the registry comes and
goes). The demo registry is MLFLOW_DEMO_TRACKING_URI (default http://127.0.0.1:5000), which must be
on this machine: the demo never calls another host. When its `/health` answers, the source "Local
MLflow (demo)" points at it and is synced once (its models arrive as AI systems with pending
versions); when nothing answers, that source is removed, so Governance -> Model sources shows how to
connect a registry instead of a source that cannot be reached.
"""

import ipaddress
from urllib.parse import urlparse

import httpx
from django.conf import settings

from vpportal.core.services import delete_record, save_changes, save_new

from .mlflow_client import RegistryError
from .models import ModelSource

DEMO_SOURCE_NAME = "Local MLflow (demo)"
PROBE_SECONDS = 1.0


def is_local(uri: str) -> bool:
    """A URI on this machine: `localhost` or a loopback address, over http(s)."""
    parts = urlparse(uri)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


def is_running(uri: str) -> bool:
    """The MLflow server at `uri` answers its health check (loopback only; one short try)."""
    if not is_local(uri):
        return False
    try:
        answer = httpx.get(uri.rstrip("/") + "/health", timeout=PROBE_SECONDS, follow_redirects=False)
    except httpx.HTTPError:
        return False
    return answer.status_code == 200


def connect(*, by, uri: str | None = None) -> str:
    """Point the demo's source at the local registry if it runs, else remove it (as `by`, the
    demo's admin); answers a line for the console."""
    from .registry import sync_source

    uri = uri or settings.MLFLOW_DEMO_TRACKING_URI
    source = ModelSource.objects.filter(name=DEMO_SOURCE_NAME).first()
    if not is_local(uri):
        return f"MLFLOW_DEMO_TRACKING_URI must be on this machine (localhost or a loopback address), not {uri}."
    if not is_running(uri):
        if source is not None:
            delete_record(source, by=by)
        return (
            f"No MLflow server at {uri}: Governance -> Model sources explains how to connect one "
            "(start one there and run `make run` again for the demo's)."
        )
    if source is None:
        source = save_new(ModelSource(name=DEMO_SOURCE_NAME, tracking_uri=uri), by=by)
    elif (source.tracking_uri, source.active) != (uri, True):
        source.tracking_uri, source.active = uri, True
        save_changes(source, by=by, version=None, fields=["tracking_uri", "active"])
    try:
        report = sync_source(source)
    except RegistryError as exc:
        return f"Model source “{DEMO_SOURCE_NAME}” points at {uri}; its sync failed: {exc.message}"
    created = report["versions"].get("created", 0)
    return f"Model source “{DEMO_SOURCE_NAME}” points at {uri} (synced: {created} new versions)."
