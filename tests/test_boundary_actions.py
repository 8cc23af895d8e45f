"""Boundary values of every field of every API action (issue 14.11): the writes that are neither a
create nor an update of a resource (a risk's acceptance, an initiative's or incident's transition,
an incident's report, a model version's decision, a mentorship's reassignment, the measurements'
bulk create, a risk from the library ...).

The operations are read from the OpenAPI schema's generator (every POST/PUT/PATCH of /api/v1/ that
is not the resource's create or update) and each one's fields from its request serializer as the
schema documents it; the values per field type are those of tests/test_boundary_values.py. An action
added to a viewset, or a field added to an action's serializer, is covered without editing this
module; an action whose body the generator cannot send must be listed in NOT_SENT with its reason.

Each value is refused with a 400 naming the field (or a 409/412 where the record's state forbids the
action), or, where the value is legal, accepted; never a 500, and on a refusal nothing is written:
the record's version and history, the count of the body's model and the event outbox are unchanged.
"""

import pytest
from django.db import transaction
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers
from rest_framework.test import APIClient

from tests.test_boundary_values import SERIALIZER_KINDS, Case, _cases, _kind, api_world  # noqa: F401 - a fixture
from vpportal.events.models import Event

pytestmark = pytest.mark.django_db

# The resource's own writes: the cases of tests/test_boundary_values.py send those.
RESOURCE_WRITES = {"create", "update", "partial_update"}

# Action operations the generator sends no boundary values to, and why. Each is named as
# "<resource>.<action>" and checked by test_every_action_is_covered_or_excluded.
NOT_SENT = {
    # Upserts take the resource's own serializer: its fields' boundary values are the create and
    # PATCH cases of tests/test_boundary_values.py (the same serializer and services).
    "ai-systems.upsert": "the resource's serializer, covered by test_boundary_values",
    "initiatives.upsert": "the resource's serializer, covered by test_boundary_values",
    "risks.upsert": "the resource's serializer, covered by test_boundary_values",
    "mitigations.upsert": "the resource's serializer, covered by test_boundary_values",
    "incidents.upsert": "the resource's serializer, covered by test_boundary_values",
    # A file upload (multipart): tests/evidence test the file's size, type and name.
    "evidence.file": "multipart/form-data with a file, tested by tests/evidence",
    # Actions without a request body: there is no field to send a boundary value to.
    "model-sources.sync": "no request body",
    "notifications.read": "no request body",
    "notifications.read-all": "no request body",
    "policy-versions.approve": "no request body",
    "policy-versions.retire": "no request body",
    "policy-versions.submit": "no request body",
    "trainings.register": "no request body",
    "trainings.unregister": "no request body",
    "webhook-deliveries.redeliver": "no request body",
    "webhooks.rotate-secret": "no request body",
    "webhooks.test": "no request body",
}


def _operations():
    """(name, method, path template, viewset, request serializer) of every action of /api/v1/."""
    generator = SchemaGenerator()
    generator._initialise_endpoints()
    for path, _regex, method, callback in generator.endpoints:
        if method not in ("POST", "PUT", "PATCH") or not path.startswith("/api/v1/"):
            continue
        view = generator.create_view(callback, method)
        if view.action in RESOURCE_WRITES:
            continue
        parts = [p for p in path.removeprefix("/api/v1/").split("/") if p]
        name = f"{parts[0]}.{view.action if view.action == 'upsert' else parts[-1]}"
        yield name, method, path, type(view), view.schema.get_request_serializer()


OPERATIONS = sorted(_operations(), key=lambda op: op[0])


def _fields(body):
    """The writable fields of a request serializer (a list's: those of one item), or None."""
    if isinstance(body, type) and issubclass(body, serializers.BaseSerializer):
        body = body()
    if isinstance(body, serializers.ListSerializer):
        body = body.child
    if not isinstance(body, serializers.Serializer):
        return None
    return {name: field for name, field in body.fields.items() if not field.read_only and name != "version"}


def action_cases():
    for name, method, path, viewset, body in OPERATIONS:
        if name in NOT_SENT:
            continue
        for field_name, field in (_fields(body) or {}).items():
            kind = _kind(field, SERIALIZER_KINDS)
            if kind is None:
                continue
            required = field.required or not (field.allow_null or getattr(field, "allow_blank", False))
            for case in _cases(
                field_name, kind, required=required, max_length=getattr(field, "max_length", None), positive_int=False
            ):
                if kind == "relation" and case.value == "":
                    case = Case(case.label, None, required)
                yield pytest.param(
                    name, method, path, viewset, body, field_name, case, id=f"{name}.{field_name}:{case.label}"
                )


# --- the record each action is sent to, in a state where the action is otherwise allowed ---------------
# The state each stateful action needs, as a filter on the seeded records (checked by
# test_the_stateful_actions_find_a_record_in_their_state): the boundary value is then refused for
# itself, not for the record's state. The other actions take any record.
ACTION_STATES = {
    "risks.accept": {"status__in": ("identified", "assessed", "mitigating")},  # open
    "incidents.report": {"serious": True, "reported_to_authority_at__isnull": True},
    "incidents.transition": {"status": "open"},
    "policy-versions.reject": {"status": "in_review"},
    "ai-system-versions.approve": {"approval": "pending"},
    "ai-system-versions.reject": {"approval": "pending"},
}


def _record(name, model):
    """The record of a detail action, in the state that allows the action."""
    return model.objects.filter(**ACTION_STATES.get(name, {})).order_by("pk").first()


def _base_body(name) -> dict:
    """The other fields an action needs, valid, so the refusal is the boundary value's."""
    if name in ("risks.from-library", "incidents.raise-risk"):
        from governance.models import Requirement

        body = {"likelihood": 3, "impact": 3, "category": "privacy"}  # what neither source may give
        if name == "risks.from-library":
            body["requirement"] = (
                Requirement.objects.filter(level="risk").order_by("pk").values_list("pk", flat=True).first()
            )
        return body
    if name == "kpi-measurements.bulk":
        from initiatives.models import KPI

        return {
            "kpi": KPI.objects.order_by("pk").values_list("pk", flat=True).first(),
            "observed_at": "2025-01-02T00:00:00Z",
            "value": 1.0,
        }
    if name == "initiatives.transition":
        return {"stage": "idea"}
    return {}


def _written(model, record):
    """What a write would change: the record's version and history, its model's rows, the outbox."""
    state = [Event.objects.count(), model._base_manager.count()]
    if record is not None:
        record.refresh_from_db()
        state += [getattr(record, "version", None), record.history.count() if hasattr(record, "history") else None]
    return state


@pytest.mark.parametrize(("name", "method", "path", "viewset", "body", "field", "case"), list(action_cases()))
def test_every_action_refuses_its_illegal_boundary_values(api_world, name, method, path, viewset, body, field, case):  # noqa: F811
    client = APIClient()
    client.force_authenticate(api_world)
    model = viewset.queryset.model
    record = _record(name, model) if "{pk}" in path else None
    if "{pk}" in path and record is None:
        pytest.skip(f"no {model.__name__} to send {name} to")
    url = path.replace("{pk}", str(record.pk)) if record is not None else path
    payload = {**_base_body(name), field: case.value}
    many = isinstance(body, serializers.ListSerializer)
    body_model = getattr(getattr(_fields(body) and (body.child if many else body), "Meta", None), "model", model)
    headers = {"HTTP_IF_MATCH": record.etag} if hasattr(record, "etag") else {}
    before = _written(body_model, record) + [model._base_manager.count()]
    with transaction.atomic():
        response = getattr(client, method.lower())(url, [payload] if many else payload, format="json", **headers)
        after = _written(body_model, record) + [model._base_manager.count()]
        transaction.set_rollback(True)  # an accepted legal value is undone for the next case
    code = response.status_code
    assert code in (200, 201, 400, 409, 412), (code, response.content[:300])
    if code in (200, 201):
        assert not case.must_refuse, f"{name} accepted {field} {case.label}"
        return
    assert after == before, f"{name} wrote on a refused {field} {case.label}"
    if code == 400:
        errors = response.json()
        if many:  # the bulk's shape: "<index>.<field>" holds a point's errors on that field
            errors = {key.removeprefix("0."): value for key, value in errors.items()}
        assert field in errors or set(errors) <= {"non_field_errors", "detail", ""}, errors


def test_every_action_is_covered_or_excluded():
    """An action of the schema is either sent boundary values (its request serializer's fields) or
    named in NOT_SENT with the reason; a new action without either fails here."""
    names = {name for name, *_ in OPERATIONS}
    sent = {name for name, *_, body in OPERATIONS if name not in NOT_SENT and _fields(body)}
    assert names - sent == set(NOT_SENT), "each action is sent cases or excluded with a reason"
    assert {"risks.accept", "initiatives.transition", "incidents.report", "kpi-measurements.bulk"} <= sent


def test_the_stateful_actions_find_a_record_in_their_state(api_world):  # noqa: F811
    """Else their cases would be sent to no record (skipped) or one the action refuses anyway."""
    viewsets = {name: viewset for name, _method, _path, viewset, _body in OPERATIONS}
    for name, state in ACTION_STATES.items():
        assert viewsets[name].queryset.model.objects.filter(**state).exists(), name
