"""Boundary values of every field of every form and every API write (issue 14.11).

The cases are generated, not listed: the forms are the `form_class` of every view reachable from
the URL configuration, the API writes the serializers of every viewset of /api/v1/ (each case sent
as an update, PATCH, and as a create, POST of a copy of a record with that one value), and each field's
boundary values follow from its type (empty, too long, negative, zero, far past and future dates,
a wrong currency, NUL, 1 MB of text, a value outside the choices, an unknown id). A field added to
a form or a serializer is covered without editing this module.

Each value is either refused with an error on that field and nothing written, or (where the value
is legal) accepted cleanly; the always-illegal values (NUL, 1 MB, too long, far dates, a wrong
currency, an unknown choice or id, negative counts and money) must be refused. Never a 500.
"""

from dataclasses import dataclass

import pytest
from django import forms
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework import serializers
from rest_framework.test import APIClient

from tests.factories import seed_everything

pytestmark = pytest.mark.django_db

ONE_MB = "x" * 1_048_576
OUR_APPS = ("initiatives.", "governance.", "evidence.", "integrations.", "vpportal.", "leadership.")  # not allauth's
# Names whose meaning rules out a negative value (money, counts, durations, intervals) and those
# that also rule out zero. Named by meaning so a new field called `..._budget` is held to it too.
NON_NEGATIVE = ("budget", "capacity", "duration", "interval", "priority", "likelihood", "impact")
POSITIVE = ("capacity", "duration", "interval", "priority", "likelihood", "impact")


@dataclass(frozen=True)
class Case:
    label: str
    value: object
    must_refuse: bool  # False: refused with a field error, or accepted cleanly


def _named(name: str, words) -> bool:
    return any(word in name for word in words)


def _cases(name: str, kind: str, *, required: bool, max_length: int | None, positive_int: bool) -> list[Case]:
    cases = [Case("empty", "", required)]
    if kind == "text":
        cases += [Case("NUL", "a\x00b", True), Case("1 MB", ONE_MB, True), Case("spaces", "   ", required)]
        if max_length:
            cases.append(Case("too long", "x" * (max_length + 1), True))
        if name == "currency":
            cases += [Case("wrong currency", "ZZZ", True), Case("currency", "EUR", False)]
    elif kind == "number":
        cases += [
            Case("negative", "-1", positive_int or _named(name, NON_NEGATIVE)),
            Case("zero", "0", _named(name, POSITIVE)),
            Case("huge", "1e400", True),
            Case("not a number", "abc", True),
        ]
    elif kind in ("date", "datetime"):
        suffix = "T00:00:00Z" if kind == "datetime" else ""
        cases += [
            Case("far past", f"0001-01-01{suffix}", True),
            Case("far future", f"9999-12-31{suffix}", True),
            Case("not a date", "2025-13-45", True),
        ]
    elif kind == "choice":
        cases.append(Case("unknown choice", "not-a-choice", True))
    elif kind == "relation":
        cases += [Case("unknown id", "999999999", True), Case("negative id", "-1", True)]
    return cases


# --- forms: every form_class reachable from the URL configuration ----------------------------------
def _views(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            view_class = getattr(pattern.callback, "view_class", None)
            if view_class is not None:
                yield view_class


def form_classes() -> list[type[forms.BaseForm]]:
    found = {getattr(view, "form_class", None) for view in _views(get_resolver().url_patterns)}
    ours = (
        f for f in found if isinstance(f, type) and issubclass(f, forms.BaseForm) and f.__module__.startswith(OUR_APPS)
    )
    return sorted(ours, key=str)


def _kind(field, kinds) -> str | None:
    """The kind of the first (field classes, kind) of `kinds` that `field` is one of; None: no cases."""
    return next((kind for classes, kind in kinds if isinstance(field, classes)), None)


FORM_KINDS = (
    (forms.ModelChoiceField | forms.ModelMultipleChoiceField, "relation"),
    (forms.ChoiceField | forms.MultipleChoiceField, "choice"),
    (forms.DateTimeField, "datetime"),
    (forms.DateField, "date"),
    (forms.IntegerField | forms.DecimalField | forms.FloatField, "number"),
    (forms.CharField, "text"),
)


def _model_field(form_class, name):
    model = getattr(getattr(form_class, "_meta", None), "model", None)
    try:
        return model._meta.get_field(name) if model else None
    except Exception:  # noqa: BLE001 - a form-only field
        return None


def form_cases():
    for form_class in form_classes():
        for name, field in form_class.base_fields.items():
            kind = _kind(field, FORM_KINDS)
            if kind is None or isinstance(field.widget, forms.HiddenInput):
                continue
            model_field = _model_field(form_class, name)
            positive = isinstance(model_field, models.PositiveIntegerField | models.PositiveSmallIntegerField)
            for case in _cases(
                name,
                kind,
                required=field.required,
                max_length=getattr(field, "max_length", None),
                positive_int=positive,
            ):
                yield pytest.param(form_class, name, case, id=f"{form_class.__name__}.{name}:{case.label}")


def _build_form(form_class, data):
    try:
        return form_class(data=data)
    except TypeError:
        return form_class(data=data, user=None)


@pytest.mark.parametrize(("form_class", "name", "case"), list(form_cases()))
def test_every_form_field_refuses_its_illegal_boundary_values(form_class, name, case, django_assert_num_queries):
    form = _build_form(form_class, {name: case.value})
    if name not in form.fields:
        pytest.skip(f"{form_class.__name__} shows {name} only to some readers")
    form.is_valid()
    refused = name in form.errors
    if case.must_refuse:
        assert refused, f"{form_class.__name__}.{name} accepted {case.label}"
    elif not refused:
        assert name in form.cleaned_data


# --- the API: every registered viewset's writable serializer fields, through PATCH ------------------
def write_viewsets():
    from leadership.api_urls import router  # /api/v1/: every app's resources (each app has its own router)

    for prefix, viewset, _ in router.registry:
        serializer_class = getattr(viewset, "serializer_class", None)
        methods = getattr(viewset, "http_method_names", ())
        updatable = hasattr(viewset, "partial_update") and "patch" in methods
        if serializer_class and issubclass(serializer_class, serializers.ModelSerializer) and updatable:
            yield prefix, viewset


SERIALIZER_KINDS = (
    (serializers.ManyRelatedField | serializers.RelatedField, "relation"),
    (serializers.ChoiceField, "choice"),
    (serializers.DateTimeField, "datetime"),
    (serializers.DateField, "date"),
    (serializers.IntegerField | serializers.DecimalField | serializers.FloatField, "number"),
    (serializers.ReadOnlyField, None),
    (serializers.CharField, "text"),
)


def api_cases():
    for prefix, viewset in write_viewsets():
        serializer = viewset.serializer_class()
        model = viewset.serializer_class.Meta.model
        for name, field in serializer.fields.items():
            kind = _kind(field, SERIALIZER_KINDS)
            if kind is None or field.read_only or name == "version":
                continue
            try:
                model_field = model._meta.get_field(field.source or name)
            except Exception:  # noqa: BLE001 - a serializer-only field
                model_field = None
            positive = isinstance(model_field, models.PositiveIntegerField | models.PositiveSmallIntegerField)
            required = field.required or not (field.allow_null or getattr(field, "allow_blank", False))
            for case in _cases(
                name, kind, required=required, max_length=getattr(field, "max_length", None), positive_int=positive
            ):
                if kind == "relation" and case.value == "":
                    case = Case(case.label, None, required)
                yield pytest.param(prefix, viewset, name, case, id=f"{prefix}.{name}:{case.label}")


@pytest.fixture(scope="module")
def api_world(django_db_setup, django_db_blocker):
    """Records to write to, seeded once for the module (the cases only ever read them back)."""
    from django.db import transaction

    from tests.conftest import make_persona

    with django_db_blocker.unblock(), transaction.atomic():
        user = make_persona("executive")
        user.is_superuser = True
        user.save()
        seed_everything()
        yield user
        transaction.set_rollback(True)


def _target(viewset, user):
    model = viewset.queryset.model
    queryset = model.objects.order_by("pk")
    if any(f.name == "framework" for f in model._meta.get_fields()):
        queryset = queryset.exclude(framework__is_builtin=True)  # shipped catalogues are read-only
    for record in queryset[:20]:
        shipped = getattr(record, "is_builtin", False) or getattr(
            getattr(record, "framework", None), "is_builtin", False
        )
        if shipped or (viewset.queryset.model.__name__ == "PolicyVersion" and record.status != "draft"):
            continue
        return record
    return None


_WRITABLE: dict[str, bool] = {}  # prefix -> whether an executive's empty PATCH of its record succeeds


@pytest.mark.parametrize(("prefix", "viewset", "name", "case"), list(api_cases()))
def test_every_api_write_refuses_its_illegal_boundary_values(api_world, prefix, viewset, name, case):
    client = APIClient()
    client.force_authenticate(api_world)
    record = _target(viewset, api_world)
    if record is None:
        pytest.skip(f"no {prefix} record to write to")
    url = f"/api/v1/{prefix}/{record.pk}/"
    if prefix not in _WRITABLE:
        _WRITABLE[prefix] = client.patch(url, {}, format="json").status_code == 200
    if not _WRITABLE[prefix]:
        pytest.skip(f"{prefix} {record.pk} takes no write from an executive (state or built-in)")
    record.refresh_from_db()
    before = record.version
    response = client.patch(url, {name: case.value}, format="json")
    assert response.status_code in (200, 400), (response.status_code, response.content[:300])
    record.refresh_from_db()
    if response.status_code == 400:
        errors = response.json()
        # The field itself, or a rule across fields naming the other one (a start after the target),
        # or one without a field (`detail` only: "a risk concerns an AI system, an initiative, or both").
        allowed = {*viewset.serializer_class().fields, "non_field_errors", "detail"}
        assert name in errors or set(errors) <= allowed, errors
        assert record.version == before  # nothing written
    else:
        assert not case.must_refuse, f"{prefix}.{name} accepted {case.label}"


def test_every_updatable_api_resource_is_covered():
    """The cases come from the router that serves /api/v1/ (every app's resources): a resource
    taking PATCH whose serializer the generator cannot read would be a silent hole. (The module
    once read the foundation's router only and so tested `people` alone.)"""
    from leadership.api_urls import router

    updatable = {
        prefix
        for prefix, viewset, _ in router.registry
        if hasattr(viewset, "partial_update") and "patch" in viewset.http_method_names
    }
    covered = {prefix for prefix, _ in write_viewsets()}
    assert updatable == covered
    assert {"initiatives", "risks", "incidents", "vendors", "evidence", "webhooks", "model-sources"} <= covered


# --- the API's creates: the same cases through POST, on a body that is otherwise valid -------------
def _create_body(client, prefix, viewset, record, token: str) -> dict:
    """The record's own writable values as the API shows them, unique texts made new (`token`)."""
    shown = client.get(f"/api/v1/{prefix}/{record.pk}/").json()
    model = viewset.serializer_class.Meta.model
    together = {name for c in model._meta.constraints for name in getattr(c, "fields", ())}
    together |= {name for names in model._meta.unique_together for name in names}
    body = {}
    for name, field in viewset.serializer_class().fields.items():
        if field.read_only or name == "version" or name not in shown:
            continue
        value = shown[name]
        try:
            model_field = model._meta.get_field(field.source or name)
        except Exception:  # noqa: BLE001 - a serializer-only field
            model_field = None
        unique = model_field is not None and (model_field.unique or model_field.name in together)
        if unique and isinstance(model_field, models.CharField | models.TextField) and value:
            value = f"{token}-{value}" if "@" in value else f"{value}-{token}"
        elif unique and model_field.unique and model_field.null:
            value = None  # a one-to-one link (a person's login) is left empty
        body[name] = value
    return body


def _creatable(client, prefix, body) -> bool:
    """Whether the body as it is creates a record (tried, then rolled back)."""
    from django.db import transaction

    with transaction.atomic():
        created = client.post(f"/api/v1/{prefix}/", body, format="json").status_code == 201
        transaction.set_rollback(True)
    return created


@pytest.mark.parametrize(("prefix", "viewset", "name", "case"), list(api_cases()))
def test_every_api_create_refuses_its_illegal_boundary_values(api_world, prefix, viewset, name, case):
    client = APIClient()
    client.force_authenticate(api_world)
    record = _target(viewset, api_world)
    if record is None or not hasattr(viewset, "create"):
        pytest.skip(f"no {prefix} record to copy, or no create")
    model = viewset.serializer_class.Meta.model
    before = model._base_manager.count()
    response = client.post(
        f"/api/v1/{prefix}/", {**_create_body(client, prefix, viewset, record, "a"), name: case.value}, format="json"
    )
    assert response.status_code in (201, 400, 403, 409, 415), (response.status_code, response.content[:300])
    if response.status_code == 201:
        assert not case.must_refuse, f"POST {prefix} accepted {name} {case.label}"
        return
    assert model._base_manager.count() == before  # nothing written
    if response.status_code != 400 or not case.must_refuse:
        return
    errors = response.json()
    if name in errors:
        return
    if not _creatable(client, prefix, _create_body(client, prefix, viewset, record, "b")):
        pytest.skip(f"a copy of {prefix} {record.pk} is not creatable as it is (NOT_COPYABLE says why)")
    # The value caused the refusal: on the field, or a rule across fields naming the other one.
    assert set(errors) <= {*viewset.serializer_class().fields, "non_field_errors", "detail"}, errors


# Resources whose create the generated cases cannot reach with a copy of a record, and why: their
# boundary values are held by the PATCH cases above (the same serializer and service rules).
NOT_COPYABLE = {
    "evidence": "created as multipart/form-data with its file (tests/evidence test those creates)",
    "training-attendance": "one seat per person and training: a copy is the same seat",
    "policy-versions": "one draft per policy at a time: a copy of the draft is refused as such",
    "webhooks": "the target host must resolve (the tests have no DNS for a copied URL)",
}


@pytest.mark.parametrize(("prefix", "viewset"), list(write_viewsets()))
def test_the_create_cases_start_from_a_valid_body(api_world, prefix, viewset):
    """Else every create case would be refused for the wrong reason and prove nothing."""
    client = APIClient()
    client.force_authenticate(api_world)
    record = _target(viewset, api_world)
    assert record is not None, prefix
    creatable = _creatable(client, prefix, _create_body(client, prefix, viewset, record, "c"))
    assert creatable is (prefix not in NOT_COPYABLE), prefix
