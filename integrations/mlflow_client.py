"""The MLflow tracking server's REST API (`/api/2.0/mlflow/...`), as the model-registry sync uses it.

httpx rather than mlflow-skinny's MlflowClient: the client reads its token, timeout and retry
settings from process-wide environment variables (MLFLOW_TRACKING_TOKEN, MLFLOW_HTTP_REQUEST_*),
while every model source here has a token of its own and one worker syncs several sources; and
mlflow-skinny would bring FastAPI, uvicorn, the Databricks SDK and OpenTelemetry into production
for a handful of JSON calls. The tests drive a real `mlflow server` with MLflow's own client.

Every list is read a page at a time (`page_token`), and `pages()` yields each page as it arrives, so
a caller that handles a page before asking for the next never holds more than one.
"""

import logging
import os
import time
from collections.abc import Iterator

import httpx
from django.conf import settings

logger = logging.getLogger(__name__)

RETRIED_STATUSES = {429, 500, 502, 503, 504}
API = "/api/2.0/mlflow/"


class RegistryError(Exception):
    """The registry could not be read or written: unreachable, refused the token, or answered an
    error after the retries. `message` says which, in words for the model source's page."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.status = status


class NotFound(RegistryError):
    pass


class MlflowRest:
    def __init__(self, tracking_uri: str, *, token_env: str = "", timeout=None, retries=None, backoff=None):
        self.base = tracking_uri.rstrip("/") + API
        self.timeout = settings.MLFLOW_TIMEOUT_SECONDS if timeout is None else timeout
        self.retries = settings.MLFLOW_RETRIES if retries is None else retries
        self.backoff = settings.MLFLOW_BACKOFF_SECONDS if backoff is None else backoff
        headers = {"User-Agent": "vpportal-model-sync"}
        if token_env:
            token = os.environ.get(token_env)
            if not token:
                raise RegistryError(f"The environment variable {token_env} (the token of this source) is not set.")
            headers["Authorization"] = f"Bearer {token}"
        self._http = httpx.Client(timeout=self.timeout, headers=headers, follow_redirects=False)

    def close(self):
        self._http.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # --- one call, retried ---------------------------------------------------------------------
    def call(self, method: str, endpoint: str, *, params=None, body=None) -> dict:
        """One REST call: network errors, timeouts, 429 and 5xx answers are retried with growing
        delays (`retries` times); anything else that is not 2xx raises at once."""
        url = self.base + endpoint
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self._http.request(method, url, params=params, json=body)
            except httpx.HTTPError as exc:
                problem, status = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__, None
            else:
                if response.is_success:
                    try:
                        return response.json()
                    except ValueError:
                        raise RegistryError(f"{endpoint} answered something other than JSON.")
                status = response.status_code
                problem = _error_text(response)
                if status == 404:
                    raise NotFound(f"{endpoint}: {problem}", status)
                if status in (401, 403):
                    raise RegistryError(f"The registry refused the token ({status}): {problem}", status)
                if status not in RETRIED_STATUSES:
                    raise RegistryError(f"{endpoint} answered {status}: {problem}", status)
            if attempt > self.retries:
                where = f"answered {status}" if status else "could not be reached"
                raise RegistryError(
                    f"The registry {where} at {endpoint} after {attempt} attempts: {problem}"[:300], status
                )
            logger.info("MLflow %s %s failed (%s); retrying", method, endpoint, problem)
            time.sleep(self.backoff * 2 ** (attempt - 1))

    def pages(self, endpoint: str, key: str, *, params=None, page_size: int | None = None) -> Iterator[list[dict]]:
        """The pages of a paged list, one at a time (`next_page_token` until it runs out)."""
        params = {**(params or {}), "max_results": page_size or settings.MLFLOW_PAGE_SIZE}
        while True:
            answer = self.call("GET", endpoint, params=params)
            yield answer.get(key) or []
            token = answer.get("next_page_token")
            if not token:
                return
            params = {**params, "page_token": token}

    # --- the calls the sync makes --------------------------------------------------------------
    def registered_models(self, page_size=None) -> Iterator[list[dict]]:
        return self.pages("registered-models/search", "registered_models", page_size=page_size)

    def model_versions(self, page_size=None) -> Iterator[list[dict]]:
        return self.pages("model-versions/search", "model_versions", page_size=page_size)

    def model_versions_of(self, name: str, page_size=None) -> Iterator[list[dict]]:
        return self.pages(
            "model-versions/search", "model_versions", params={"filter": f"name={_quoted(name)}"}, page_size=page_size
        )

    def registered_model(self, name: str) -> dict | None:
        try:
            return self.call("GET", "registered-models/get", params={"name": name}).get("registered_model")
        except NotFound:
            return None

    def run(self, run_id: str) -> dict | None:
        try:
            return self.call("GET", "runs/get", params={"run_id": run_id}).get("run")
        except NotFound:
            return None

    def metric_history(self, run_id: str, key: str, page_size=None) -> Iterator[list[dict]]:
        return self.pages(
            "metrics/get-history", "metrics", params={"run_id": run_id, "metric_key": key}, page_size=page_size
        )

    def set_version_tag(self, name: str, version: str, key: str, value: str) -> None:
        self.call("POST", "model-versions/set-tag", body={"name": name, "version": version, "key": key, "value": value})


def _quoted(name: str) -> str:
    return "'" + name.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _error_text(response) -> str:
    try:
        data = response.json()
    except ValueError:
        return response.text[:200] or response.reason_phrase
    if isinstance(data, dict):
        return str(data.get("message") or data.get("error_code") or data)[:200]
    return str(data)[:200]
