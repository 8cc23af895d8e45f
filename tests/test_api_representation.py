"""The compiled representation (vpportal/core/representation.py) answers exactly what DRF's own
`Serializer.to_representation` answers, for every API resource, on seeded rows read the way the API
reads them (its viewset's queryset)."""

import pytest
from rest_framework import serializers
from rest_framework.test import APIRequestFactory

from leadership.api_urls import router
from tests.conftest import make_persona
from tests.factories import seed_everything
from tests.factories.people import PersonFactory
from vpportal.core.api import TrackedSerializer

TRACKED_VIEWSETS = [
    (prefix, viewset)
    for prefix, viewset, _ in router.registry
    if isinstance(getattr(viewset, "serializer_class", None), type)
    and issubclass(viewset.serializer_class, TrackedSerializer)
]


def drf_representation(serializer, instance):
    return serializers.Serializer.to_representation(serializer, instance)


@pytest.fixture
def seeded_executive(db):
    user = make_persona("executive")
    PersonFactory.create_batch(3)
    seed_everything()
    return user


def test_every_tracked_resource_is_covered():
    # The check below would pass vacuously if the router walk found nothing.
    assert {"initiatives", "risks", "kpis", "kpi-measurements", "policies"} <= {p for p, _ in TRACKED_VIEWSETS}


@pytest.mark.parametrize(("prefix", "viewset_class"), TRACKED_VIEWSETS, ids=[p for p, _ in TRACKED_VIEWSETS])
def test_compiled_representation_equals_drf(prefix, viewset_class, seeded_executive):
    request = APIRequestFactory().get(f"/api/v1/{prefix}/")
    request.user = seeded_executive
    view = viewset_class(request=request, format_kwarg=None, action="list", kwargs={})
    rows = list(view.get_queryset()[:50])
    assert rows, f"seed data has no {prefix}"
    serializer = view.get_serializer(rows, many=True)
    compiled = serializer.data
    child = serializer.child
    assert compiled == [drf_representation(child, row) for row in rows]
    # Same keys in the same order: clients and the schema see one shape.
    assert [list(item) for item in compiled] == [list(drf_representation(child, row)) for row in rows]


def test_falls_back_to_drf_for_values_it_does_not_know(seeded_executive):
    """A value of an unexpected type (here a non-UTC datetime and an enum member) still gets DRF's
    answer: the compiled path only takes the shapes it was built for."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from initiatives.api.portfolio import InitiativeSerializer
    from initiatives.choices import Stage
    from initiatives.models import Initiative

    initiative = Initiative.objects.first()
    initiative.stage = Stage.PILOT
    initiative.stage_changed_at = datetime(2026, 3, 1, 12, 0, tzinfo=ZoneInfo("Europe/Paris"))
    serializer = InitiativeSerializer()
    compiled = serializer.to_representation(initiative)
    assert compiled == drf_representation(serializer, initiative)
    assert compiled["stage_changed_at"] == "2026-03-01T11:00:00Z"
    assert compiled["stage"] == "pilot"


def test_the_change_feeds_compiled_representation_equals_drf(seeded_executive):
    from vpportal.events.api import ChangeEventSerializer
    from vpportal.events.models import Event

    events = list(Event.objects.order_by("id")[:50])
    assert events, "seeding wrote no events"
    serializer = ChangeEventSerializer(events, many=True)
    compiled = serializer.data
    assert compiled == [drf_representation(serializer.child, event) for event in events]
    assert [list(item) for item in compiled] == [list(drf_representation(serializer.child, e)) for e in events]


# The lists the benchmarks hold to `.values()` speed (issue 23): each reads its page as rows.
READ_AS_ROWS = {"initiatives", "risks", "kpis", "kpi-measurements", "mitigations", "incidents", "evidence"}


def test_the_benchmarked_lists_read_their_pages_as_rows(seeded_executive):
    request = APIRequestFactory().get("/")
    request.user = seeded_executive
    for prefix, viewset_class in TRACKED_VIEWSETS:
        if prefix not in READ_AS_ROWS:
            continue
        view = viewset_class(request=request, format_kwarg=None, action="list", kwargs={})
        plan = view.get_serializer(None, many=True).child.row_plan()
        assert plan is not None, f"{prefix}: a field needs a model instance"
        assert plan.selectable(view.get_queryset()), f"{prefix}: the queryset lacks one of {plan.columns}"


@pytest.mark.parametrize(("prefix", "viewset_class"), TRACKED_VIEWSETS, ids=[p for p, _ in TRACKED_VIEWSETS])
def test_a_page_read_as_rows_answers_what_instances_answer(prefix, viewset_class, seeded_executive):
    """The API's page (read as `.values()` rows where the serializer allows it) is the JSON the same
    rows give as model instances through the compiled representation and DRF's own."""
    import json

    from rest_framework.renderers import JSONRenderer
    from rest_framework.request import Request

    from tests.conftest import api_client

    body = api_client(seeded_executive).get(f"/api/v1/{prefix}/?limit=50").json()
    request = APIRequestFactory().get(f"/api/v1/{prefix}/")
    request.user = seeded_executive
    view = viewset_class(request=request, format_kwarg=None, action="list", kwargs={})
    rows = list(view.get_queryset()[:50])
    assert rows, f"seed data has no {prefix}"
    reader = Request(request)
    reader.user = seeded_executive  # what a row may show depends on its reader (private notes)
    serializer = view.get_serializer(rows, many=True, context={"request": reader})
    expected = json.loads(JSONRenderer().render(serializer.data))
    assert body["results"] == expected
    assert [list(item) for item in body["results"]] == [list(item) for item in expected]
