"""The model registry in step with the portal (PRODUCT.md, "Model registry (MLflow)"): writes on model
sources, the sync, KPI feeds, and governance's decision on a model version with its write-back.

The sync reads the registry a page at a time and writes each page before it asks for the next, so
its memory does not grow with the registry (benchmarks/registry_sync.py): the events of a page's new
systems and versions are recorded together (one commit callback a page, not one a record, in a
transaction that may create ten thousand versions). It runs in one database
transaction: a registry that fails mid-way leaves nothing half-written, the source's page says
why, and the next sync starts over. It is idempotent: a second sync in a row changes nothing.
"""

import logging
import math
import time
from collections import Counter
from datetime import UTC, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from governance.gate_checks import system_failures
from governance.models import AISystem
from initiatives.services.portfolio import BULK_LIMIT, KPI_WRITES, kpi_measurements_ingest
from vpportal.core.bounds import CLOCK_SKEW
from vpportal.core.services import TransitionError, Writes, delete_record, require, save_changes, save_new
from vpportal.events.outbox import record_event, record_events, represent_many
from vpportal.people.models import Person

from .emails import base_url
from .mlflow_client import MlflowRest, RegistryError
from .models import AISystemVersion, Approval, KPIFeed, ModelSource, RegisteredModel

logger = logging.getLogger(__name__)

DECIDE_PERM = "governance.accept_risk"  # "who may: as for accepting risks"
MSG_CANNOT_DECIDE = "Only governance and executives approve or reject model versions (as they accept risks)."
MSG_COMMENT_REQUIRED = "Say why the version is rejected."
MSG_ALREADY = "This version is already {}."
MSG_GATE = "The AI system does not pass the stage-gate checks about systems."
TAG_APPROVAL, TAG_BY, TAG_URL = "vpportal.approval", "vpportal.approved_by", "vpportal.url"
FEED_SOURCE = "mlflow"


# --- model sources ---------------------------------------------------------------------------------
def model_source_create(*, by, data: dict) -> ModelSource:
    require(by, "add", ModelSource)
    return save_new(ModelSource(**data), by=by)


def model_source_update(source: ModelSource, *, by, data: dict, version: int | None = None) -> ModelSource:
    require(by, "change", source)
    for name, value in data.items():
        setattr(source, name, value)
    return save_changes(source, by=by, version=version, fields=data.keys())


def model_source_delete(source: ModelSource, *, by, version: int | None = None) -> None:
    delete_record(source, by=by, version=version)


MODEL_SOURCE_WRITES = Writes(create=model_source_create, update=model_source_update, delete=model_source_delete)


def client_for(source: ModelSource) -> MlflowRest:
    return MlflowRest(source.tracking_uri, token_env=source.token_env)


# --- the sync --------------------------------------------------------------------------------------
def sync_now(source: ModelSource, *, by) -> dict:
    """ "Sync now" from the page or `POST model-sources/{id}/sync/`: the managers of sources only."""
    require(by, "change", source)
    return sync_source(source)


def sync_source(source: ModelSource, *, page_size: int | None = None) -> dict:
    """Bring the registry's models and versions in; answers the report (also kept on the source).
    A registry error is kept on the source as the last result and raised again."""
    started = timezone.now()
    try:
        with client_for(source) as client, transaction.atomic():
            locked = ModelSource.objects.select_for_update().get(pk=source.pk)  # one sync of a source at a time
            try:
                report = _Sync(locked, client, page_size).run()
            except (KeyError, TypeError, ValueError) as exc:
                raise RegistryError(f"The registry answered something unexpected ({type(exc).__name__}: {exc}).")
            result = {"ok": True, **report}
            _keep_result(locked, started, result, announce=report["changed"])
    except RegistryError as exc:
        _keep_result(source, started, {"ok": False, "error": exc.message}, announce=False)
        raise
    source.last_synced_at, source.last_sync_result = started, result
    return result


def _keep_result(source, started, result, *, announce):
    # Bookkeeping of the system, not an edit: written without a version bump, so an edit form open
    # during a sync is not refused; a sync that changed the inventory is announced as an event.
    ModelSource.objects.filter(pk=source.pk).update(last_synced_at=started, last_sync_result=result)
    if announce:
        source.last_synced_at, source.last_sync_result = started, result
        record_event(source, "model_source.synced", by=None, extra=result)


class _Sync:
    def __init__(self, source, client, page_size):
        self.source, self.client, self.page_size = source, client, page_size
        self.run_id = time.time_ns()
        self.models, self.versions = Counter(), Counter()
        self.renamed, self.missing, self.restored = [], [], []
        self.points = 0

    def run(self) -> dict:
        for page in self.client.registered_models(self.page_size):
            self._models_page(page)
        self._mark_missing()
        for page in self.client.model_versions(self.page_size):
            self._versions_page(page)
        self._mark_missing_versions()
        for feed in KPIFeed.objects.filter(model_source=self.source).select_related("kpi"):
            self.points += self._feed(feed)
        changed = bool(
            self.models["created"] + self.models["linked"] + self.versions["created"] + self.versions["updated"]
        ) or bool(self.renamed or self.missing or self.restored or self.points)
        return {
            "registered_models": dict(self.models),
            "versions": dict(self.versions),
            "renamed": self.renamed,
            "missing": self.missing,
            "restored": self.restored,
            "kpi_points_added": self.points,
            "changed": changed,
        }

    # registered models -> AI systems
    def _models_page(self, page: list[dict]):
        names = [m["name"] for m in page]
        links = {
            link.name: link
            for link in RegisteredModel.objects.filter(source=self.source, name__in=names).select_related("ai_system")
        }
        seen, self.new_systems = [], []
        for model in page:
            link = links.get(model["name"])
            aliases = {a["alias"]: str(a["version"]) for a in model.get("aliases") or []}
            if link is None:
                link = self._new_model(model)
            elif link.missing_since is not None:
                link.missing_since = None
                link.save(update_fields=["missing_since"])
                self.restored.append(link.name)
                self.models["restored"] += 1
            else:
                self.models["unchanged"] += 1
            if link.aliases != aliases:
                link.aliases = aliases
                link.save(update_fields=["aliases"])
            seen.append(link.pk)
        RegisteredModel.objects.filter(pk__in=seen).update(seen_in_sync=self.run_id)
        _record_page(AISystem, "ai_system.created", self.new_systems)

    def _new_model(self, model: dict) -> RegisteredModel:
        name, created_ms = model["name"], model.get("creation_timestamp")
        # A rename keeps the model's creation time: a model of this source created at the same
        # moment whose old name the registry no longer knows is this one under its new name.
        if created_ms is not None:
            for old in RegisteredModel.objects.filter(source=self.source, mlflow_created_ms=created_ms).exclude(
                name=name
            ):
                if self.client.registered_model(old.name) is None:
                    return self._rename(old, name)
        system = AISystem.objects.filter(name=name).exclude(registered_models__source=self.source).first()
        if system is None:
            system = save_new(
                AISystem(name=name[:200], purpose=(model.get("description") or "")[:2000], provider="in-house"),
                by=None,
                event=None,  # recorded with the page's (_record_page)
            )
            self.new_systems.append(system.pk)
            self.models["created"] += 1
        else:
            self.models["linked"] += 1  # typed in by hand before: now it follows the registry
        link = RegisteredModel(source=self.source, name=name, ai_system=system, mlflow_created_ms=created_ms)
        link.save()
        return link

    def _rename(self, link: RegisteredModel, name: str) -> RegisteredModel:
        old = link.name
        link.previous_names = [*link.previous_names, old]
        link.name, link.missing_since = name, None
        link.save(update_fields=["name", "previous_names", "missing_since"])
        system = link.ai_system
        if system.name == old:
            system.name = name[:200]
            save_changes(system, by=None, version=None, fields=["name"])
        self.renamed.append({"from": old, "to": name})
        self.models["renamed"] += 1
        return link

    def _mark_missing(self):
        gone = RegisteredModel.objects.filter(source=self.source, missing_since__isnull=True).exclude(
            seen_in_sync=self.run_id
        )
        now = timezone.now()
        for link in gone.iterator():
            link.missing_since = now
            link.save(update_fields=["missing_since"])
            self.missing.append(link.name)
            self.models["missing"] += 1

    # model versions -> AI system versions
    def _versions_page(self, page: list[dict]):
        names = {v["name"] for v in page}
        links = {link.name: link for link in RegisteredModel.objects.filter(source=self.source, name__in=names)}
        known = {
            (v.registered_model_id, v.model_version): v
            for v in AISystemVersion.objects.filter(
                registered_model__in=list(links.values()), model_version__in={str(v["version"]) for v in page}
            )
        }
        seen, self.new_versions = [], []
        for mv in page:
            link = links.get(mv["name"])
            if link is None:  # registered after the models were read: the next sync brings it
                continue
            fields = _version_fields(mv, link.aliases)
            current = known.get((link.pk, fields["model_version"]))
            if current is None:
                current = self._new_version(link, fields, mv)
            else:
                changed = [name for name, value in fields.items() if getattr(current, name) != value]
                if not current.in_registry:
                    current.in_registry = True
                    changed.append("in_registry")
                if changed:
                    for name in changed:
                        setattr(current, name, fields.get(name, getattr(current, name)))
                    save_changes(current, by=None, version=None, fields=changed)
                    self.versions["updated"] += 1
                else:
                    self.versions["unchanged"] += 1
            seen.append(current.pk)
        AISystemVersion.objects.filter(pk__in=seen).update(seen_in_sync=self.run_id)
        # The owner and governance are told of each new version (notify.py).
        _record_page(AISystemVersion, "ai_system_version.registered", self.new_versions)

    def _new_version(self, link, fields, mv) -> AISystemVersion:
        metrics = {}
        if fields["run_id"]:
            run = self.client.run(fields["run_id"])
            for metric in ((run or {}).get("data") or {}).get("metrics") or []:
                metrics[metric["key"]] = metric.get("value")
        version = AISystemVersion(ai_system_id=link.ai_system_id, registered_model=link, metrics=metrics, **fields)
        save_new(version, by=None, event=None)  # recorded with the page's (_record_page)
        self.new_versions.append(version.pk)
        self.versions["created"] += 1
        return version

    def _mark_missing_versions(self):
        gone = AISystemVersion.objects.filter(registered_model__source=self.source, in_registry=True).exclude(
            seen_in_sync=self.run_id
        )
        for version in gone.iterator():
            version.in_registry = False
            save_changes(version, by=None, version=None, fields=["in_registry"])
            self.versions["missing"] += 1

    # KPI feeds
    def _feed(self, feed: KPIFeed) -> int:
        link = RegisteredModel.objects.filter(source=self.source, name=feed.model_name).first()
        if link is None:
            return 0
        runs = (
            AISystemVersion.objects.filter(registered_model=link)
            .exclude(run_id="")
            .order_by("run_id")
            .values_list("run_id", flat=True)
            .distinct()
        )
        added, batch, stamps = 0, [], set()
        latest = timezone.now() + CLOCK_SKEW
        for run_id in runs.iterator():
            for page in self.client.metric_history(run_id, feed.metric_key, self.page_size):
                for metric in page:
                    point = _point(feed, run_id, metric, latest)
                    if point is None or point["observed_at"] in stamps:
                        continue  # two runs logged at the same moment: the first one counts
                    stamps.add(point["observed_at"])
                    batch.append(point)
                    if len(batch) == BULK_LIMIT:
                        added += kpi_measurements_ingest(by=None, points=batch)["created"]
                        batch = []
        if batch:
            added += kpi_measurements_ingest(by=None, points=batch)["created"]
        return added


def _record_page(model, event_type: str, ids: list[int]) -> None:
    """The events of a page's new records in one statement, each carrying its record as the API
    shows it (as `save_new` would have recorded them one by one)."""
    if ids:
        shown = represent_many(model, ids)
        record_events(model, [(event_type, pk, shown[pk]) for pk in ids], by=None)


def _version_fields(mv: dict, model_aliases: dict) -> dict:
    created, number = mv.get("creation_timestamp"), str(mv["version"])
    aliases = set(mv.get("aliases") or []) | {alias for alias, version in model_aliases.items() if version == number}
    return {
        "model_version": number,
        "aliases": sorted(aliases),
        "stage": (mv.get("current_stage") or "")[:20],
        "run_id": (mv.get("run_id") or "")[:64],
        "source": (mv.get("source") or "")[:500],
        "registered_at": datetime.fromtimestamp(int(created) / 1000, tz=UTC) if created is not None else None,
    }


def _point(feed, run_id, metric, latest) -> dict | None:
    try:
        value, stamp = float(metric["value"]), int(metric["timestamp"])
    except (KeyError, TypeError, ValueError):
        return None
    observed = datetime.fromtimestamp(stamp / 1000, tz=UTC)
    if not math.isfinite(value) or observed > latest:
        return None
    note = f"MLflow run {run_id}, step {metric.get('step', 0)}"
    return {"kpi": feed.kpi_id, "observed_at": observed, "value": value, "source": FEED_SOURCE, "note": note}


# --- KPI feeds ------------------------------------------------------------------------------------
MSG_FEED_SOURCE = "No such model source (or not one you may see)."
MSG_FEED_NAME = "Name the registered model."
MSG_FEED_METRIC = "Name the metric key."
MSG_FEED_NO_SOURCE = "Choose the model source too, or leave the feed empty."


@transaction.atomic
def kpi_feed_set(*, by, kpi, model_source, model_name: str, metric_key: str) -> KPIFeed | None:
    """Make `kpi` follow (model, metric key) of a source (replacing what it followed); no source and
    no name nor key: it follows nothing. `model_source` is a source or its id (one the user may see).
    The one rule of a KPI's feed: the source's page and the KPI resource of the API both call it.
    Each change is in the feed's history and its event (`kpi_feed.created/updated/deleted`).
    Errors are keyed `model_source`, `model_name`, `metric_key`; nothing is written then."""
    model_name, metric_key = (model_name or "").strip(), (metric_key or "").strip()
    current = KPIFeed.objects.filter(kpi=kpi).first()
    if model_source is None and not model_name and not metric_key:
        if current is not None:
            require(by, "change", current.model_source)
            shown, pk = _feed_data(current), current.pk
            current._history_user = by
            current.delete()
            record_event(current, "deleted", by=by, data=shown, object_id=pk)
        return None
    errors = {}
    if model_source is None:
        errors["model_source"] = MSG_FEED_NO_SOURCE
    elif not isinstance(model_source, ModelSource):
        model_source = ModelSource.objects.visible_to(by).filter(pk=model_source).first()
        if model_source is None:
            errors["model_source"] = MSG_FEED_SOURCE
    if not model_name:
        errors["model_name"] = MSG_FEED_NAME
    if not metric_key:
        errors["metric_key"] = MSG_FEED_METRIC
    if errors:
        raise ValidationError(errors)
    require(by, "change", model_source)
    if current is not None and current.model_source_id != model_source.pk:
        require(by, "change", current.model_source)  # taking the KPI away from the other source
    feed = current or KPIFeed(kpi=kpi)
    before = None if current is None else _feed_data(current)
    feed.model_source, feed.model_name, feed.metric_key = model_source, model_name, metric_key
    feed.full_clean(exclude=["kpi"])  # the bounds of the fields
    if before == _feed_data(feed):
        return feed  # as it was: no history row, no event
    feed._history_user = by
    feed.save()
    record_event(feed, "created" if current is None else "updated", by=by, data=_feed_data(feed))
    return feed


def _feed_data(feed: KPIFeed) -> dict:
    return {
        "id": feed.pk,
        "kpi": feed.kpi_id,
        "model_source": feed.model_source_id,
        "model_name": feed.model_name,
        "metric_key": feed.metric_key,
    }


@transaction.atomic
def kpi_create_with_feed(*, by, data: dict):
    """The KPI resource's create: the KPI (initiatives' service), then its feed (`kpi_feed_set`); the
    KPI's event comes before its feed exists (the feed's own event follows)."""
    feed = _feed_input(data, None)
    kpi = KPI_WRITES.create(by=by, data=data)
    if feed is not None:
        _feed_set_as_api(by, kpi, feed)
    return kpi


@transaction.atomic
def kpi_update_with_feed(kpi, *, by, data: dict, version: int | None = None):
    """The KPI resource's update: a change of the feed is a change of the KPI as the API shows it,
    so the KPI's version moves too (its ETag changes with what a reader sees)."""
    feed = _feed_input(data, kpi)
    if feed is not None:
        _feed_set_as_api(by, kpi, feed)  # first: the KPI's event shows the new feed
    return KPI_WRITES.update(kpi, by=by, data=data, version=version)


FEED_FIELDS = {"feed_model_source": "model_source", "feed_model_name": "model_name", "feed_metric_key": "metric_key"}


def _feed_input(data: dict, kpi) -> dict | None:
    """Pop the feed's fields from the API's data: None when none is sent; those left out of a
    partial update keep the KPI's current feed values."""
    sent = {FEED_FIELDS[name]: data.pop(name) for name in list(data) if name in FEED_FIELDS}
    if not sent:
        return None
    if (
        "model_source" in sent
        and sent["model_source"] is None
        and not (sent.get("model_name") or sent.get("metric_key"))
    ):
        return {"model_source": None, "model_name": "", "metric_key": ""}  # null source: no feed
    current = KPIFeed.objects.filter(kpi=kpi).first() if kpi is not None else None
    values = {"model_source": None, "model_name": "", "metric_key": ""}
    if current is not None:
        values = {
            "model_source": current.model_source_id,
            "model_name": current.model_name,
            "metric_key": current.metric_key,
        }
    return {**values, **sent}


def _feed_set_as_api(by, kpi, feed: dict) -> None:
    try:
        kpi_feed_set(by=by, kpi=kpi, **feed)
    except ValidationError as exc:
        raise ValidationError({f"feed_{name}": errors for name, errors in exc.message_dict.items()}) from None


KPI_FEED_WRITES = Writes(create=kpi_create_with_feed, update=kpi_update_with_feed, delete=KPI_WRITES.delete)


# --- approval and write-back ----------------------------------------------------------------------
def may_decide(user) -> bool:
    return user.has_perm(DECIDE_PERM)


def decision_refusal(user, version: AISystemVersion, decision: str, *, failures=None) -> Exception | None:
    """Why `user` may not make `decision` on `version` now (None: allowed). THE rule of the decision:
    `version_decide` raises what it answers, and the page offers a button only when it answers None
    (the comment a rejection needs is typed with the press, so it is checked by the service alone).
    `failures`: the system's gate failures when the caller has read them already (the page)."""
    if not may_decide(user):
        return PermissionDenied(MSG_CANNOT_DECIDE)
    if decision not in (Approval.APPROVED, Approval.REJECTED):
        return ValidationError({"decision": "Approve or reject."})
    if version.approval == decision:
        return TransitionError(MSG_ALREADY.format(Approval(decision).label.lower()))
    if decision == Approval.APPROVED:
        failures = system_failures(version.ai_system) if failures is None else failures
        if failures:
            return TransitionError(MSG_GATE, details=failures)
    return None


def may_make(user, version: AISystemVersion, decision: str, *, failures=None) -> bool:
    return decision_refusal(user, version, decision, failures=failures) is None


@transaction.atomic
def version_decide(
    version: AISystemVersion, *, by, decision: str, comment: str = "", expected: int | None = None
) -> AISystemVersion:
    """Approve or reject a model version for production; the decision is then written back to the
    registry as tags by a background task (retried until the registry has it)."""
    if not may_decide(by):
        raise PermissionDenied(MSG_CANNOT_DECIDE)
    version = AISystemVersion.objects.select_for_update().select_related("ai_system").get(pk=version.pk)
    if refusal := decision_refusal(by, version, decision):
        raise refusal
    comment = (comment or "").strip()
    if decision == Approval.REJECTED and not comment:
        raise ValidationError({"comment": MSG_COMMENT_REQUIRED})
    version.approval = decision
    version.approved_by = Person.objects.of_user(by)
    version.approved_at = timezone.now()
    version.decision_comment = comment
    version.registry_confirmed, version.writeback_error = False, ""
    fields = ["approval", "approved_by", "approved_at", "decision_comment", "registry_confirmed", "writeback_error"]
    save_changes(version, by=by, version=expected, fields=fields, event=f"ai_system_version.{decision}")
    transaction.on_commit(lambda: queue_writeback(version.pk))
    return version


def queue_writeback(version_id: int) -> None:
    from vpportal.celery import app

    try:
        app.send_task("integrations.tasks.writeback_task", args=[version_id])
    except Exception:  # the broker is down: the scheduled sync queues every unconfirmed decision
        logger.warning("Could not queue the write-back of version %s; the next sync will.", version_id, exc_info=True)


def decision_tags(version: AISystemVersion) -> dict[str, str]:
    person = version.approved_by
    return {
        TAG_APPROVAL: version.approval,
        TAG_BY: (person.email or person.name) if person else "",
        TAG_URL: base_url() + reverse("integrations:aisystemversion_detail", args=[version.pk]),
    }


def write_back(version_id: int) -> bool:
    """Write the decision on the version to its registry as model-version tags; True once the
    registry has it (or there is nothing to write), False when it must be tried again."""
    version = (
        AISystemVersion.objects.select_related("registered_model__source", "approved_by").filter(pk=version_id).first()
    )
    if version is None or version.approval == Approval.PENDING or version.registry_confirmed:
        return True
    link = version.registered_model
    try:
        with client_for(link.source) as client:
            for key, value in decision_tags(version).items():
                client.set_version_tag(link.name, version.model_version, key, value)
    except RegistryError as exc:
        AISystemVersion.objects.filter(pk=version_id).update(writeback_error=exc.message[:300])
        return False
    with transaction.atomic():
        fresh = AISystemVersion.objects.select_for_update().get(pk=version_id)
        if (fresh.approval, fresh.approved_at) != (version.approval, version.approved_at):
            return True  # decided again meanwhile: that decision's own write-back follows
        fresh.registry_confirmed, fresh.writeback_error = True, ""
        save_changes(
            fresh,
            by=None,
            version=None,
            fields=["registry_confirmed", "writeback_error"],
            event="ai_system_version.registry_confirmed",
        )
    return True
