"""The API lists the benchmarks measure: one `ListEndpoint` per resource.

A new resource is one line in ENDPOINTS (for example
`ListEndpoint("incidents", Incident, ("status", {"status": "open"}))`): (a) then times its page of
100 against the same rows read with `.values()` and an exact `COUNT(*)`, answered by JsonResponse,
and (b), with `grow=True`, the same page, unfiltered and filtered, at 1,000 and at 100,000 rows.

The baseline must carry the same columns as the API's rows: the harness compares the two key sets
and fails when they differ (add the API's extra keys with `extra`). The relations' texts the API
answers beside every foreign key (`owner_display`; for a login, `created_by_display` and
`created_by_user`) are added to every baseline by `relation_columns()`, read in the same query by
the same expressions as the API's (vpportal/core/api_relations.py).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import CharField, F, Value
from django.db.models.functions import Cast, Concat

from evidence.models import Evidence, EvidenceLink
from governance.models import Incident, Mitigation, Risk
from initiatives.models import KPI, Initiative, KPIMeasurement
from vpportal.core.api_relations import display_expression, user_display_expression


@dataclass(frozen=True)
class ListEndpoint:
    name: str  # the resource: /api/v1/<name>/
    model: type
    # A filter keeping a share of the rows: (query string, ORM condition); None: no filtered variant.
    filter: tuple[str, dict] | None = None
    # The rows as the API reads them, before `.values()` (annotations, the list's ordering).
    rows: Callable | None = None
    # Keys the API adds beyond the model's columns: {key: expression for `.values()`}.
    extra: dict = field(default_factory=dict)
    # Columns the API does not answer (a stored file's name): left out of the baseline too.
    hidden: tuple = ()
    # What the page adds to its rows in one query (evidence's links): rows -> None, in place.
    page: Callable | None = None
    # Many-to-many keys, each a list of ids: {key: (through model, source column, target column)}.
    many: dict = field(default_factory=dict)
    # Whole-list query string (`kpi=<id>` for points: set by the harness).
    query: str = ""
    grow: bool = True  # (b): measured at 1,000 and 100,000 rows

    def queryset(self):
        rows = self.rows() if self.rows else self.model._default_manager.all()
        return rows if rows.query.order_by else rows.order_by(*self.model._meta.ordering)

    def columns(self) -> list[str]:
        names = []
        for f in self.model._meta.concrete_fields:
            if f.name not in self.hidden:
                names.append(f.name if f.is_relation else f.attname)
        return names

    def values_extra(self) -> dict:
        relations = relation_columns(self.model)
        hidden = {key for key in relations for name in self.hidden if key.startswith(f"{name}_")}
        return {**{k: v for k, v in relations.items() if k not in hidden}, **self.extra}


def relation_columns(model) -> dict:
    """{key: expression} of the texts beside each foreign key, as the API answers them: the login's
    person name (or username) and its user id for a login, the related record's display text for a
    model that declares DISPLAY_FIELDS (the API's own expressions, vpportal/core/api_relations.py)."""
    user_model, extra = get_user_model(), {}
    for f in model._meta.concrete_fields:
        if not f.many_to_one:
            continue
        if f.related_model is user_model:
            extra[f"{f.name}_user"] = F(f.attname)
            extra[f"{f.name}_display"] = user_display_expression(f.name)
        elif getattr(f.related_model, "DISPLAY_FIELDS", None):
            extra[f"{f.name}_display"] = display_expression(f.related_model, f.name)
    return extra


def _evidence_links(rows: list[dict]):
    """Each evidence row's attached records, one list of ids per attachable kind (one query)."""
    from evidence import registry

    names = {type_id: name for name, type_id in registry.content_type_ids().items()}
    by_id = {row["id"]: row for row in rows}
    for row in rows:
        row.update({name: [] for name in names.values()})
    links = EvidenceLink.objects.filter(evidence_id__in=list(by_id)).order_by("object_id")
    for evidence_id, type_id, object_id in links.values_list("evidence_id", "content_type_id", "object_id"):
        if type_id in names:
            by_id[evidence_id][names[type_id]].append(object_id)


def _risks():
    return Risk.objects.with_scores().order_by("-updated_at", "-id")


def _kpis():
    return KPI.objects.with_status().order_by("name", "id")


RISK_SCORES = ("inherent_score", "residual_score", "inherent_level", "residual_level")
KPI_STATUS = ("status", "latest_value", "latest_observed_at")
# The KPI's MLflow feed (integrations extends the `kpis` resource with it): a left join.
KPI_FEED = {
    "feed_model_source": F("mlflow_feed__model_source_id"),
    "feed_model_name": F("mlflow_feed__model_name"),
    "feed_metric_key": F("mlflow_feed__metric_key"),
}

ENDPOINTS: list[ListEndpoint] = [
    ListEndpoint("initiatives", Initiative, ("health=on_track", {"health": "on_track"})),
    ListEndpoint(
        "risks",
        Risk,
        ("category=privacy", {"category": "privacy"}),
        rows=_risks,
        extra={name: F(name) for name in RISK_SCORES},
    ),
    ListEndpoint(
        "kpis",
        KPI,
        ("cadence=weekly", {"cadence": "weekly"}),
        rows=_kpis,
        extra={**{name: F(name) for name in KPI_STATUS}, **KPI_FEED},
    ),
    ListEndpoint("kpi-measurements", KPIMeasurement, grow=False),
    ListEndpoint(
        "mitigations",
        Mitigation,
        ("status=planned", {"status": "planned"}),
        many={"requirements": (Mitigation.requirements.through, "mitigation_id", "requirement_id")},
    ),
    ListEndpoint(
        "incidents",
        Incident,
        ("severity=high", {"severity": "high"}),
        rows=lambda: Incident.objects.with_deadline(),
        extra={"report_due": F("report_due")},
        many={
            "ai_systems": (Incident.ai_systems.through, "incident_id", "aisystem_id"),
            "risks": (Incident.risks.through, "incident_id", "risk_id"),
            "mitigations": (Incident.mitigations.through, "incident_id", "mitigation_id"),
        },
        hidden=("reported_by",),
        grow=False,
    ),
    ListEndpoint(
        "evidence",
        Evidence,
        ("kind=dpia", {"kind": "dpia"}),
        rows=lambda: Evidence.objects.with_currency(),
        extra={
            "is_current": F("is_current"),
            "download_url": Concat(
                Value("http://localhost/api/v1/evidence/"), Cast("id", CharField()), Value("/download/")
            ),
        },
        hidden=("file",),
        page=_evidence_links,
        grow=False,
    ),
]


def by_name(name: str) -> ListEndpoint:
    return next(e for e in ENDPOINTS if e.name == name)
