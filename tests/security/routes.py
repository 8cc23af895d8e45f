"""Every URL pattern of the project and the permission decision that governs it.

The decision is derived, so other areas' pages are covered without editing this file:
- page views built on `vpportal.core.views.PermissionMixin` declare `model` + `permission_action`;
- DRF views whose permission classes include `RolePermission` are decided by the model's rules;
- function views decorated with `vpportal.security.access(...)` carry `access_decision`;
- Django admin pages need a staff sign-in (then the admin's own per-model rules);
- allauth pages are public (sign-in, reset, SSO) or need a signed-in user.
Anything else must be named in `EXPLICIT` below; a URL pattern with no decision fails the matrix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

from vpportal.core.api_access import RolePermission
from vpportal.core.views import PermissionMixin
from vpportal.permissions import perm_name
from vpportal.security import ANY_ROLE, PUBLIC, SIGNED_IN


@dataclass(frozen=True)
class Route:
    pattern: str
    name: str | None
    callback: object
    converters: tuple[str, ...]
    positional: int = 0  # unnamed regex groups (e.g. django-simple-history's admin URLs)

    @property
    def id(self) -> str:
        return self.name or self.pattern

    @property
    def view_class(self):
        return getattr(self.callback, "view_class", None)

    @property
    def api_class(self):
        return getattr(self.callback, "cls", None)

    @property
    def is_api(self) -> bool:
        return self.api_class is not None


@dataclass(frozen=True)
class Decision:
    """kind: public | signed_in | perm | staff | api_model.

    `perm`: the permission the view requires; `object_level`: checked against the record;
    `service_decides`: the gate lets signed-in users with the permission through and the service may
    still refuse (403) for a stricter rule, so only refusals are pinned for them."""

    kind: str  # public | signed_in | any_role | perm | staff | api_model
    perm: str | None = None
    object_level: bool = False
    model: type | None = None
    service_decides: bool = False
    parent_decides: bool = False  # an add under a parent record: the view checks the parent too
    methods: tuple[str, ...] = ("get", "post")


def public(methods=("get",)):
    return Decision(PUBLIC, methods=methods)


def signed_in(methods=("get", "post"), service_decides=True, model=None):
    return Decision(SIGNED_IN, methods=methods, service_decides=service_decides, model=_label(model))


def perm(name, *, object_level=False, methods=("get", "post"), service_decides=False, parent_decides=False, model=None):
    """A permission `app.action_model`; the record for `pk` is of that model unless `model` names
    another (`"app.model"`)."""
    app_label, codename = name.split(".")
    model = _label(model) if model else _model_of(app_label, codename.split("_", 1)[1])
    return Decision(
        "perm",
        perm=name,
        object_level=object_level,
        methods=methods,
        service_decides=service_decides,
        parent_decides=parent_decides,
        model=model,
    )


def any_role(methods=("get",), model=None):
    return Decision(ANY_ROLE, methods=methods, model=_label(model))


def _model_of(app_label, model_name):
    from django.apps import apps

    try:
        return apps.get_model(app_label, model_name)
    except LookupError:
        return None


def _label(label):
    return _model_of(*label.split(".")) if isinstance(label, str) else label


# allauth pages anyone may open: the ways in, password reset, SSO hand-offs and their errors.
ALLAUTH_PUBLIC = {
    "account_login",
    "account_logout",
    "account_inactive",
    "account_signup",  # answers "sign-up is closed"
    "account_email_verification_sent",
    "account_confirm_email",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    "account_confirm_login_code",
    "mfa_authenticate",  # the second step of a sign-in in progress
    "socialaccount_login_cancelled",
    "socialaccount_login_error",
    "socialaccount_signup",
    "openid_connect_login",
    "openid_connect_callback",
}

# Views that none of the derivations above decide, or whose code is stricter than their base class.
EXPLICIT: dict[str, Decision] = {
    "home": signed_in(methods=("get",), service_decides=False),
    "token_list": signed_in(),
    "token_revoke": signed_in(),
    "health": public(),
    # public only with API_DOCS_PUBLIC (off under tests, as in production): signed-in callers
    "api:schema": signed_in(methods=("get",), service_decides=False),
    "api:docs": signed_in(methods=("get",), service_decides=False),
    # any other path under /api/v1/: a JSON 404 for everyone, it shows nothing
    "api:not_found": public(methods=("get", "post", "put", "patch", "delete")),
    # a call authenticated by a token creates/revokes tokens only with that right (403 otherwise)
    "api:token-list": signed_in(methods=("get", "post")),
    "api:token-detail": signed_in(methods=("delete",)),
    # governance: policies
    "governance:policy_diff": perm("governance.view_policy", methods=("get",)),
    "governance:policy_acknowledge": signed_in(
        methods=("post",), model="governance.policy"
    ),  # the service says who may, as a message
    "governance:policyversion_submit": perm("governance.change_policyversion", object_level=True),
    # the move's own permission, then the service: separation of duties, state (messages, not 403)
    "governance:policyversion_approve": perm("governance.approve_policyversion", service_decides=True),
    "governance:policyversion_reject": perm("governance.approve_policyversion", service_decides=True),
    "governance:policyversion_retire": perm("governance.approve_policyversion", service_decides=True),
    # pages built with access(SIGNED_IN) that also refuse users without a role: access(ANY_ROLE) says so
    "dashboard": any_role(),
    "due": any_role(),
    "search": any_role(),
    # reports: any role may read; figures are counted through each model's visibility rule
    "report": any_role(),
    "report_pdf": any_role(),
    # the PDF rendered in the background: any role may ask; a job is its asker's only (404 to others)
    "report_job_add": any_role(methods=("post",)),
    "report_job": any_role(model="leadership.reportjob"),
    "report_job_download": any_role(model="leadership.reportjob"),
    # large imports on a worker: importers only; a job is its asker's only (404 to others)
    "import_job": perm("vpportal.import_data", model="leadership.importjob", methods=("get",)),
    "import_job_confirm": perm("vpportal.import_data", model="leadership.importjob", methods=("post",)),
    # an evidence pack built in the background: a job is its asker's only (404 to others)
    "evidence:pack_job": perm("evidence.view_evidence", methods=("get",), model="evidence.evidencepackjob"),
    "evidence:pack_job_download": perm("evidence.view_evidence", methods=("get",), model="evidence.evidencepackjob"),
    "api:dashboard-list": any_role(),
    "api:audit-list": any_role(),
    # the change feed: any role; each event through its model's visibility rule
    "api:event-list": any_role(),
    # each person's own notifications (scoped to them inside)
    "api:notification-list": Decision(SIGNED_IN, methods=("get",)),
    "api:notification-detail": Decision(SIGNED_IN, methods=("get",)),
    "api:notification-read": Decision(SIGNED_IN, methods=("post",)),
    "api:notification-read-all": Decision(SIGNED_IN, methods=("post",)),
    # governance: risks
    "governance:risk_accept": perm("governance.accept_risk"),
    # governance: incidents (moves are POSTs; raising a risk needs add_risk, on the incident's page)
    "governance:incident_transition": perm("governance.change_incident", object_level=True, methods=("post",)),
    "governance:incident_raise_risk": perm("governance.add_risk", model="governance.incident"),
    # the model registry: deciding on a version needs the right of risk acceptance (PRODUCT.md); the
    # record in the URL is the version, not a risk (ids of two tables agree only on a fresh database)
    "integrations:aisystemversion_approve": perm("governance.accept_risk", model="integrations.aisystemversion"),
    "integrations:aisystemversion_reject": perm("governance.accept_risk", model="integrations.aisystemversion"),
    # bulk actions on a list: exporting the selection needs the list's view permission; changing
    # rows, the change one, checked by the view and then row by row by the update service
    "governance:risk_bulk": perm("governance.view_risk", methods=("post",), service_decides=True),
    "initiatives:initiative_bulk": perm("initiatives.view_initiative", methods=("post",), service_decides=True),
    "governance:mitigation_bulk": perm("governance.view_mitigation", methods=("post",), service_decides=True),
    "governance:aisystem_bulk": perm("governance.view_aisystem", methods=("post",), service_decides=True),
    "governance:incident_bulk": perm("governance.view_incident", methods=("post",), service_decides=True),
    "governance:policy_bulk": perm("governance.view_policy", methods=("post",), service_decides=True),
    "initiatives:kpi_bulk": perm("initiatives.view_kpi", methods=("post",), service_decides=True),
    # initiatives
    "initiatives:initiative_transition": signed_in(
        methods=("post",), model="initiatives.initiative"
    ),  # service: change + override_gate
    "initiatives:kpi_measurement_add": perm("initiatives.add_kpimeasurement", model="initiatives.kpi"),
    # reassigning is its own rule (leaders, executives), not the participants' "change"
    "initiatives:mentorship_reassign": perm("initiatives.reassign_mentorship"),
    # initiatives: team development (the services decide, refusals come back as messages or 403)
    "initiatives:training_register": signed_in(methods=("post",), model="initiatives.training"),
    "initiatives:training_unregister": signed_in(methods=("post",), model="initiatives.training"),
    "initiatives:trainingattendance_mark": signed_in(methods=("post",), model="initiatives.trainingattendance"),
}

# Writes the role rules allow but a record-state rule in the service refuses with 403 for the seeded
# record (built-in catalogue frameworks and their requirements are read-only for everyone).
STATE_REFUSALS = {
    "api:framework-detail",
    "api:requirement-detail",
    "governance:framework_edit",
    "governance:framework_delete",
    "governance:requirement_edit",
    "governance:requirement_add",
}

SUFFIX = re.compile(r"\(\?P<format>")


def _walk(resolver, prefix="", namespace=None, outer=()):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry, prefix + str(entry.pattern), ns, outer + tuple(entry.pattern.regex.groupindex))
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            regex = entry.pattern.regex
            positional = regex.groups - len(regex.groupindex)
            yield prefix + str(entry.pattern), name, entry.callback, outer + tuple(regex.groupindex), positional


def all_routes() -> list[Route]:
    """Every URL pattern once (DRF's `.json` format-suffix twins and static serving left out:
    they run the same view as their plain pattern)."""
    seen, routes = set(), []
    for pattern, name, callback, converters, positional in _walk(get_resolver()):
        if SUFFIX.search(pattern) or "format" in converters:
            continue
        key = (pattern, name)
        if key in seen:
            continue
        seen.add(key)
        routes.append(Route(pattern, name, callback, tuple(c for c in converters if c != "format"), positional))
    return routes


def _module(route: Route) -> str:
    view = route.view_class or route.api_class or route.callback
    return getattr(view, "__module__", "") or ""


def decide(route: Route) -> Decision | None:
    name = route.name or ""
    if name in EXPLICIT:
        return EXPLICIT[name]
    decision = getattr(route.callback, "access_decision", None)
    if decision is not None:
        if decision in (PUBLIC, SIGNED_IN, ANY_ROLE):
            return Decision(decision, methods=("get",) if decision == PUBLIC else ("get", "post"))
        return perm(decision)
    if name.startswith("admin:") or route.pattern.startswith("admin/"):
        return Decision("staff", methods=("get",))
    if _module(route).startswith("allauth.") or (route.pattern.startswith("accounts/") and not route.name):
        if name in ALLAUTH_PUBLIC or not route.name:  # unnamed: allauth's redirects of old URLs
            return public()
        return signed_in(methods=("get",), service_decides=False)
    cls = route.view_class
    if cls is not None and issubclass(cls, PermissionMixin) and getattr(cls, "model", None) is not None:
        action = cls.permission_action
        methods = ("get", "post") if hasattr(cls, "post") else ("get",)
        under_parent = any(name.endswith("_pk") for name in route.converters)
        return Decision(
            "perm",
            perm=perm_name(cls.model, action),
            object_level=action in ("change", "delete"),
            methods=methods,
            model=cls.model,
            parent_decides=under_parent,
        )
    api = route.api_class
    if api is not None and any(
        isinstance(p, type) and issubclass(p, RolePermission) for p in getattr(api, "permission_classes", ())
    ):
        model = RolePermission()._model(api)
        if model is None:  # the API root and other model-less views: any signed-in caller
            return Decision(SIGNED_IN, methods=("get",), service_decides=False)
        actions = getattr(route.callback, "actions", None) or {}
        # DRF adds "head" to a viewset's shared action map on its first GET: test only the methods
        # that map to a permission (HEAD is a GET).
        methods = tuple(m for m in actions if m in ("get", "post", "put", "patch", "delete"))
        return Decision("api_model", model=model, methods=methods or ("get",))
    return None
