"""The permission matrix, generated from the URL configuration: every persona (each role, an outsider
with no role, anonymous) x every URL pattern x its methods, against the decision that governs it.

A URL pattern nobody decided fails `test_every_url_pattern_has_a_permission_decision`, naming it.
Each request runs in a savepoint that is rolled back, so a permitted DELETE or POST changes nothing
for the next persona.
"""

import pkgutil
from importlib import import_module

import factory.django
import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client
from django.urls import reverse

import tests.factories
from tests.conftest import PERSONAS, api_client
from tests.security.routes import STATE_REFUSALS, Decision, Route, all_routes, decide
from vpportal.permissions import has_any_role, perm_name
from vpportal.security import ANY_ROLE, PUBLIC, SIGNED_IN

ROUTES = all_routes()
LOGIN = reverse("account_login")
ADMIN_LOGIN = reverse("admin:login")
CRUD_ACTIONS = ("list", "retrieve", "create", "update", "partial_update", "destroy")
API_ACTIONS = {"get": "view", "post": "add", "put": "change", "patch": "change", "delete": "delete"}


@pytest.mark.parametrize("route", ROUTES, ids=[r.id for r in ROUTES])
def test_every_url_pattern_has_a_permission_decision(route):
    assert decide(route) is not None, (
        f"{route.pattern} ({route.id}) has no permission decision: build it on PermissionMixin or "
        "TrackedViewSet, decorate it with vpportal.security.access(...), or add it to "
        "tests/security/routes.py EXPLICIT."
    )


# --- records to put in the URLs ---------------------------------------------------------------------


def _factories() -> dict:
    found = {}
    for info in pkgutil.iter_modules(tests.factories.__path__):
        module = import_module(f"tests.factories.{info.name}")
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, factory.django.DjangoModelFactory):
                model = getattr(value._meta, "model", None)
                if model is not None and not isinstance(model, str):
                    found.setdefault(model, value)
    return found


def _seed():
    for info in pkgutil.iter_modules(tests.factories.__path__):
        module = import_module(f"tests.factories.{info.name}")
        if hasattr(module, "seed_api_data"):
            module.seed_api_data()


def _model_named(name: str):
    wanted = name.replace("_", "").lower()
    for model in apps.get_models():
        if model._meta.model_name == wanted:
            return model
    return None


class Records:
    def __init__(self):
        self.factories = _factories()
        self.cache = {}

    def of(self, model):
        if model not in self.cache:
            obj = model._default_manager.order_by("pk").first()
            if obj is None and model in self.factories:
                obj = self.factories[model]()
            self.cache[model] = obj
        return self.cache[model]


def _route_model(route: Route, decision: Decision):
    if decision.model is not None:
        return decision.model
    view = route.view_class or route.api_class
    return getattr(view, "model", None) or getattr(getattr(view, "queryset", None), "model", None)


def build_url(route: Route, decision: Decision, records: Records):
    """The route's URL with real records for its ids; (url, record or None) or (None, reason)."""
    kwargs, obj = {}, None
    model = _route_model(route, decision)
    for name in route.converters:
        if name == "pk":
            if model is None:
                return None, "no model for pk"
            obj = records.of(model)
            if obj is None:
                return None, f"no {model.__name__} record (add a factory in tests/factories)"
            kwargs[name] = obj.pk
        elif name.endswith("_pk"):
            parent = _model_named(name[:-3])
            record = records.of(parent) if parent else None
            if record is None:
                return None, f"no record for {name}"
            kwargs[name] = record.pk
            obj = obj or record  # an add under a parent: the parent's visibility decides 404s
        elif name == "provider_id":
            kwargs[name] = "sso"
        elif name == "app_label":
            kwargs[name] = "vpportal"
        else:
            kwargs[name] = "0"  # tokens, admin object ids, reset keys: a value that matches nothing
    if route.name is None:  # allauth's unnamed redirects of old URLs: plain paths
        return ("/" + route.pattern, None) if not route.converters else (None, "unnamed pattern with arguments")
    if route.positional:
        return reverse(route.name, args=["0"] * route.positional), obj
    return reverse(route.name, kwargs=kwargs), obj


def _call(client, method, url, api=False):
    """One request in a savepoint that is rolled back: nothing it writes reaches the next persona."""
    client.raise_request_exception = False
    with transaction.atomic():
        if api and method in ("post", "put", "patch"):
            response = getattr(client, method)(url, {}, format="json")
        else:
            response = getattr(client, method)(url)
        transaction.set_rollback(True)
    return response


def _visible(user, obj) -> bool:
    if obj is None:
        return True
    manager = type(obj)._default_manager
    queryset = manager.visible_to(user) if hasattr(manager, "visible_to") else manager.all()
    return queryset.filter(pk=obj.pk).exists()


def _allowed(route, user, decision: Decision, obj, method: str, api_action: str | None) -> bool:
    if decision.kind == PUBLIC or decision.kind == SIGNED_IN:
        return True
    if decision.kind == ANY_ROLE:
        return has_any_role(user)
    if decision.kind == "api_model":
        action = API_ACTIONS[method]
        if api_action not in CRUD_ACTIONS or api_action in getattr(route.api_class, "service_actions", ()):
            action = "view"  # custom actions: the gate is view, the service checks the action's own rule
        return user.has_perm(perm_name(decision.model, action), obj if action in ("change", "delete") else None)
    return user.has_perm(decision.perm, obj if decision.object_level else None)


def check(route, decision, persona, user, method, response, obj) -> str | None:
    """None when the response matches the decision, else what went wrong."""
    status = response.status_code
    where = f"{persona:11} {method.upper():6} {route.id}"
    if status == 502 and response.request["PATH_INFO"].endswith("/sync/"):
        # The seeded model source points at a closed loopback port (tests/factories/integrations.py):
        # a caller the rules allow reaches the sync, which answers 502, the registry unreachable.
        status = 200
    if status >= 500:
        error = getattr(response, "exc_info", None)
        return f"{where}: {status} (server error: {error[1]!r})" if error else f"{where}: {status} (server error)"
    if decision.kind == "staff":
        if user is None or not user.is_staff:
            return None if status == 302 else f"{where}: expected a redirect to sign in, got {status}"
        return None
    if decision.kind == PUBLIC:
        return None  # anyone: only a server error is wrong
    if route.id in STATE_REFUSALS and status == 403:
        return None
    if user is None:
        if route.is_api:
            return None if status == 401 else f"{where}: anonymous API call expected 401, got {status}"
        if status == 405:
            return None  # POST-only views refuse the method before anything else
        location = response.get("Location", "")
        if status == 302 and (location.startswith(LOGIN) or location.startswith(ADMIN_LOGIN)):
            return None
        return f"{where}: anonymous expected a redirect to sign in, got {status} {location}"
    api_action = (getattr(route.callback, "actions", None) or {}).get(method) if route.is_api else None
    allowed = _allowed(route, user, decision, obj if not decision.parent_decides else None, method, api_action)
    visible = _visible(user, obj)
    if not allowed:
        if status in (403, 405) or (status == 404 and not visible):
            return None
        return f"{where}: refused by the rules, but answered {status}"
    if status == 401:
        return f"{where}: signed in, but answered 401"
    if status == 403:
        service = decision.service_decides or (
            route.is_api and api_action in getattr(route.api_class, "service_actions", ())
        )
        if method != "get" and service:
            return None
        if route.is_api and api_action not in CRUD_ACTIONS:
            return None
        if decision.parent_decides:
            return None
        return f"{where}: allowed by the rules, but answered 403"
    if status == 404 and visible and decision.kind != SIGNED_IN:
        return f"{where}: allowed and the record is visible, but answered 404"
    return None


@pytest.fixture
def matrix_world(personas):
    _seed()
    return personas, Records()


def _run(routes, personas, records, *, api):
    problems, skipped = [], []
    clients = {None: Client() if not api else api_client()}
    users = {"anonymous": None, **personas}
    for persona, user in users.items():
        if user is not None:
            if api:
                clients[persona] = api_client(user)
            else:
                clients[persona] = Client()
                clients[persona].force_login(user)
    for route in routes:
        decision = decide(route)
        if decision is None:
            continue  # reported by test_every_url_pattern_has_a_permission_decision
        url, obj = build_url(route, decision, records)
        if url is None:
            skipped.append(f"{route.id}: {obj}")
            continue
        for persona, user in users.items():
            client = clients[persona if user is not None else None]
            for method in decision.methods:
                response = _call(client, method, url, api=api)
                problem = check(route, decision, persona, user, method, response, obj)
                if problem:
                    problems.append(problem)
    return problems, skipped


def _area(route: Route) -> str:
    first = route.pattern.split("/", 1)[0]
    return first if first in ("people", "initiatives", "governance", "accounts") else "portal"


PAGE_AREAS = ("people", "initiatives", "governance", "accounts", "portal")


@pytest.mark.parametrize("area", PAGE_AREAS)
def test_pages_answer_every_persona_as_the_rules_decide(matrix_world, area):
    personas, records = matrix_world
    pages = [r for r in ROUTES if not r.is_api and not r.pattern.startswith("admin/") and _area(r) == area]
    problems, skipped = _run(pages, personas, records, api=False)
    assert not skipped, "URLs the matrix could not build:\n" + "\n".join(skipped)
    assert not problems, "\n".join(problems)


def test_api_answers_every_persona_as_the_rules_decide(matrix_world):
    personas, records = matrix_world
    routes = [r for r in ROUTES if r.is_api]
    problems, skipped = _run(routes, personas, records, api=True)
    assert not skipped, "API URLs the matrix could not build:\n" + "\n".join(skipped)
    assert not problems, "\n".join(problems)


def test_admin_pages_need_a_staff_sign_in(matrix_world):
    personas, records = matrix_world
    routes = [r for r in ROUTES if r.pattern.startswith("admin/") and r.name and r.name != "admin:login"]
    users = {"anonymous": None, **{p: personas[p] for p in PERSONAS if not personas[p].is_staff}}
    problems = []
    for persona, user in users.items():
        client = Client()
        if user is not None:
            client.force_login(user)
        for route in routes:
            url, _ = build_url(route, Decision("staff"), records)
            response = _call(client, "get", url)
            if response.status_code != 302:
                problems.append(f"{persona} GET {route.id}: expected a redirect to sign in, got {response.status_code}")
    assert not problems, "\n".join(problems)


def test_admin_changelists_follow_the_model_rules_for_staff(matrix_world):
    from django.contrib import admin

    personas, _ = matrix_world
    staff = {p: u for p, u in personas.items() if u.is_staff}
    assert staff, "the personas fixture makes executive and governance staff"
    problems = []
    for persona, user in staff.items():
        client = Client()
        client.force_login(user)
        for model in admin.site._registry:
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
            response = _call(client, "get", url)
            if response.status_code >= 500:
                problems.append(f"{persona} GET {url}: server error {getattr(response, 'exc_info', [None, None])[1]!r}")
                continue
            expected = (
                200 if user.has_perm(perm_name(model, "view")) or user.has_perm(perm_name(model, "change")) else 403
            )
            if response.status_code != expected:
                problems.append(f"{persona} GET {url}: expected {expected}, got {response.status_code}")
    assert not problems, "\n".join(problems)


# --- object-level write rules -----------------------------------------------------------------------
# PRODUCT.md's roles, restated here rather than read from vpportal/permissions.py, so the matrix checks
# the rule and not the code against itself. Who may change or delete a record they have no tie to:
LEADS = frozenset({"executive", "leader"})
GOVERNS = frozenset({"executive", "governance"})
ANY_RECORD_WRITERS = {
    "vpportal.person": frozenset({"executive"}),
    "initiatives.initiative": LEADS,
    "initiatives.milestone": LEADS,
    "initiatives.kpi": LEADS,
    "initiatives.kpimeasurement": LEADS,  # contributors add points, they do not correct others'
    "initiatives.mentorship": LEADS,
    "initiatives.mentorshipsession": LEADS,
    "initiatives.training": LEADS,
    "initiatives.trainingattendance": LEADS,
    "governance.aisystem": LEADS,
    "governance.risk": LEADS | GOVERNS,
    "governance.mitigation": LEADS | GOVERNS,
    "governance.policy": GOVERNS,
    "governance.policyversion": GOVERNS,
    "governance.acknowledgement": frozenset({"executive"}),
    "governance.framework": GOVERNS,
    "governance.requirement": GOVERNS,
}
# ... and who may, in addition, change or delete a record they added themselves.
AUTHOR_WRITERS = {"initiatives.kpimeasurement": frozenset({"contributor"})}


def _object_write_routes():
    """(route, decision, methods to try): API details (PUT/PATCH/DELETE) and edit/delete pages (GET)."""
    found = []
    for route in ROUTES:
        decision = decide(route)
        if decision is None or "pk" not in route.converters or route.id in STATE_REFUSALS:
            continue
        if decision.kind == "api_model" and decision.model._meta.label_lower in ANY_RECORD_WRITERS:
            found.append((route, decision, tuple(m for m in decision.methods if m in ("patch", "delete"))))
        elif (
            decision.kind == "perm"
            and decision.object_level
            and not decision.parent_decides
            and decision.model._meta.label_lower in ANY_RECORD_WRITERS
            and decision.perm.split(".")[1].split("_")[0] in ("change", "delete")
        ):
            found.append((route, decision, ("get",)))
    return found


def test_object_write_rules_follow_the_roles_and_authorship(matrix_world):
    """Every persona x every record-level write (API and page) x a record of someone else / one they
    added: allowed exactly as ANY_RECORD_WRITERS and AUTHOR_WRITERS say, refused (403/404) otherwise."""
    personas, records = matrix_world
    stranger = personas["outsider"]  # holds no role: a record it wrote ties it to no persona
    routes = _object_write_routes()
    # The seeded frameworks are the built-in catalogue, read-only for everyone (STATE_REFUSALS).
    uncovered = set(ANY_RECORD_WRITERS) - {d.model._meta.label_lower for _, d, _ in routes}
    assert uncovered == {"governance.framework", "governance.requirement"}
    problems = []
    for persona, user in personas.items():
        clients = {True: api_client(user), False: Client()}
        clients[False].force_login(user)
        for route, decision, methods in routes:
            url, obj = build_url(route, decision, records)
            assert url is not None, obj
            label = decision.model._meta.label_lower
            for author in (stranger, user):
                type(obj)._default_manager.filter(pk=obj.pk).update(created_by=author)
                may = persona in ANY_RECORD_WRITERS[label] or (
                    author == user and persona in AUTHOR_WRITERS.get(label, ())
                )
                whose = "own" if author == user else "other's"
                for method in methods:
                    status = _call(clients[route.is_api], method, url, api=route.is_api).status_code
                    where = f"{persona:11} {method.upper():6} {route.id} ({whose} record)"
                    if status >= 500:
                        problems.append(f"{where}: server error {status}")
                    elif may and status in (401, 403, 404):
                        problems.append(f"{where}: PRODUCT.md allows it, answered {status}")
                    elif not may and status not in (403, 404, 405):
                        problems.append(f"{where}: PRODUCT.md refuses it, answered {status}")
    assert not problems, "\n".join(problems)
