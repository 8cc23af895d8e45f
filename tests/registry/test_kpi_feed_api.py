"""The KPI resource's MLflow feed (`feed_model_source`, `feed_model_name`, `feed_metric_key`): set,
changed and cleared through the one service the model source's page calls, each change in the feed's
history and an event; bad values answer 400 and write nothing; the list stays one query a page."""

import pytest

from initiatives.models import KPI
from integrations.models import KPIFeed, ModelSource
from tests.conftest import api_client
from tests.factories.portfolio import KPIFactory
from vpportal.events.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def source():
    return ModelSource.objects.create(name="prod", tracking_uri="https://mlflow.example.com")


def feed_of(body):
    return {name: body[name] for name in ("feed_model_source", "feed_model_name", "feed_metric_key")}


def test_a_kpi_without_feed_reads_nulls(executive):
    kpi = KPIFactory()
    body = api_client(executive).get(f"/api/v1/kpis/{kpi.pk}/").json()
    assert feed_of(body) == {"feed_model_source": None, "feed_model_name": None, "feed_metric_key": None}


def test_set_change_and_clear_the_feed_through_the_api(executive, source):
    client = api_client(executive)
    created = client.post(
        "/api/v1/kpis/",
        {"name": "Churn AUC", "feed_model_source": source.pk, "feed_model_name": " churn ", "feed_metric_key": "auc"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert feed_of(created.json()) == {
        "feed_model_source": source.pk,
        "feed_model_name": "churn",
        "feed_metric_key": "auc",
    }
    kpi = KPI.objects.get(pk=created.json()["id"])
    feed = KPIFeed.objects.get(kpi=kpi)
    assert [(h.history_type, h.history_user) for h in feed.history.all()] == [("+", executive)]

    changed = client.patch(f"/api/v1/kpis/{kpi.pk}/", {"feed_metric_key": "f1"}, format="json")
    assert changed.status_code == 200, changed.json()
    assert feed_of(changed.json())["feed_metric_key"] == "f1"
    assert changed.json()["version"] == created.json()["version"] + 1  # what a reader sees changed: new ETag
    assert [h.history_type for h in feed.history.order_by("history_id")] == ["+", "~"]
    kpi_event = Event.objects.filter(type="kpi.updated", object_id=kpi.pk).latest("id")
    assert feed_of(kpi_event.data) == feed_of(changed.json())  # events show the KPI as the API does

    cleared = client.patch(f"/api/v1/kpis/{kpi.pk}/", {"feed_model_source": None}, format="json")
    assert cleared.status_code == 200, cleared.json()
    assert feed_of(cleared.json()) == {"feed_model_source": None, "feed_model_name": None, "feed_metric_key": None}
    assert not KPIFeed.objects.filter(kpi=kpi).exists()
    assert [h.history_type for h in KPIFeed.history.filter(id=feed.pk).order_by("history_id")] == ["+", "~", "-"]
    events = Event.objects.filter(type__startswith="kpi_feed.").order_by("id")
    assert [(e.type, e.object_id, e.actor) for e in events] == [
        ("kpi_feed.created", feed.pk, executive),
        ("kpi_feed.updated", feed.pk, executive),
        ("kpi_feed.deleted", feed.pk, executive),
    ]
    assert events[1].data == {
        "id": feed.pk,
        "kpi": kpi.pk,
        "model_source": source.pk,
        "model_name": "churn",
        "metric_key": "f1",
    }


def test_the_same_feed_again_writes_nothing(executive, source):
    kpi = KPIFactory()
    client = api_client(executive)
    body = {"feed_model_source": source.pk, "feed_model_name": "churn", "feed_metric_key": "auc"}
    assert client.patch(f"/api/v1/kpis/{kpi.pk}/", body, format="json").status_code == 200
    assert client.patch(f"/api/v1/kpis/{kpi.pk}/", body, format="json").status_code == 200
    assert KPIFeed.history.count() == 1
    assert Event.objects.filter(type__startswith="kpi_feed.").count() == 1


@pytest.mark.parametrize(
    ("sent", "errors"),
    [
        ({"feed_model_source": 999999, "feed_model_name": "churn", "feed_metric_key": "auc"}, {"feed_model_source"}),
        (
            {"feed_model_source": "SOURCE", "feed_model_name": " ", "feed_metric_key": ""},
            {"feed_model_name", "feed_metric_key"},
        ),
        ({"feed_model_source": "SOURCE", "feed_model_name": "churn"}, {"feed_metric_key"}),
        ({"feed_model_name": "churn", "feed_metric_key": "auc"}, {"feed_model_source"}),
        ({"feed_model_source": "SOURCE", "feed_model_name": "x" * 257, "feed_metric_key": "auc"}, {"feed_model_name"}),
        (
            {"feed_model_source": "SOURCE", "feed_model_name": "churn", "feed_metric_key": "k" * 251},
            {"feed_metric_key"},
        ),
        ({"feed_model_source": "one", "feed_model_name": "churn", "feed_metric_key": "auc"}, {"feed_model_source"}),
    ],
)
def test_bad_feed_values_answer_400_and_write_nothing(executive, source, sent, errors):
    sent = {k: source.pk if v == "SOURCE" else v for k, v in sent.items()}
    client = api_client(executive)
    kpi = KPIFactory()
    before = (KPI.objects.get(pk=kpi.pk).version, Event.objects.count())
    response = client.patch(f"/api/v1/kpis/{kpi.pk}/", {"name": "Renamed", **sent}, format="json")
    assert response.status_code == 400, response.json()
    assert set(response.json()) - {"detail"} == errors
    created = client.post("/api/v1/kpis/", {"name": "New", **sent}, format="json")
    assert created.status_code == 400
    assert (KPI.objects.get(pk=kpi.pk).version, Event.objects.count()) == before
    assert KPI.objects.get(pk=kpi.pk).name == kpi.name
    assert not KPI.objects.filter(name="New").exists()
    assert not KPIFeed.objects.exists() and not KPIFeed.history.exists()


def test_a_source_the_user_may_not_see_is_no_source(leader, source):
    kpi = KPIFactory()
    sent = {"feed_model_source": source.pk, "feed_model_name": "churn", "feed_metric_key": "auc"}
    response = api_client(leader).patch(f"/api/v1/kpis/{kpi.pk}/", sent, format="json")
    assert response.status_code == 400
    assert set(response.json()) - {"detail"} == {"feed_model_source"}
    assert not KPIFeed.objects.exists()


def test_the_source_page_sets_the_feed_through_the_same_service(executive, source, client):
    kpi = KPIFactory()
    client.force_login(executive)
    client.post(
        f"/integrations/model-sources/{source.pk}/feeds/", {"kpi": kpi.pk, "model_name": "churn", "metric_key": ""}
    )
    assert not KPIFeed.objects.exists()  # the same rule: a metric key is needed
    client.post(
        f"/integrations/model-sources/{source.pk}/feeds/", {"kpi": kpi.pk, "model_name": "churn", "metric_key": "auc"}
    )
    feed = KPIFeed.objects.get(kpi=kpi)
    assert [(h.history_type, h.history_user) for h in feed.history.all()] == [("+", executive)]
    assert Event.objects.filter(type="kpi_feed.created", object_id=feed.pk).exists()
    body = api_client(executive).get(f"/api/v1/kpis/{kpi.pk}/").json()
    assert feed_of(body) == {"feed_model_source": source.pk, "feed_model_name": "churn", "feed_metric_key": "auc"}


def test_the_kpi_list_reads_the_feeds_in_its_one_page_query(executive, source, django_assert_num_queries):
    client = api_client(executive)

    def grow(n):
        for i in range(n):
            KPIFeed.objects.create(kpi=KPIFactory(), model_source=source, model_name=f"m{i}", metric_key="auc")

    grow(2)
    # token and user, roles, count, page (the feed joined)
    with django_assert_num_queries(4):
        client.get("/api/v1/kpis/")
    grow(8)
    with django_assert_num_queries(4):
        body = client.get("/api/v1/kpis/").json()
    assert {r["feed_metric_key"] for r in body["results"]} == {"auc"}
