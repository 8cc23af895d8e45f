"""The API contract (PRODUCT.md) checked on every operation of the schema, so a new endpoint is held
to it without a test of its own, and its runtime half checked on real requests: one error shape,
JSON only, strict paging, unknown fields, no-op writes, conditional requests, `updated_after`."""

import json
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from initiatives.models import Initiative
from tests.conftest import api_client, make_persona
from tests.factories.people import PersonFactory
from tests.factories.portfolio import InitiativeFactory, KPIFactory

ERROR_REF = "#/components/schemas/Error"
METHODS = ("get", "post", "put", "patch", "delete")
# What a code docstring says and an integrator's description does not.
INTERNAL_WORDS = re.compile(r"\b(queryset|serializer|viewset|save\(\)|service|schema generator)\b", re.IGNORECASE)


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    for path, item in schema["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def resolve(schema, node):
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def test_the_schema_has_every_operation_to_check(schema):
    # The walk below must not pass by walking nothing.
    assert len(list(operations(schema))) > 100


def test_every_operation_follows_the_contract(schema):
    problems = []
    for path, method, op in operations(schema):
        name = f"{method.upper()} {path}"
        responses = op["responses"]
        params = {(p["in"], p["name"]): p for p in op.get("parameters", [])}
        body = op.get("requestBody")
        if body is not None:
            types = list(body["content"])
            if types not in (["application/json"], ["multipart/form-data"]):
                problems.append(f"{name}: request body offered as {types}, not one type")
        for code in ("401", "403", "429"):
            if code not in responses:
                problems.append(f"{name}: {code} not documented")
        if "{" in path and "404" not in responses:
            problems.append(f"{name}: 404 not documented")
        if (body is not None or any(k[0] == "query" for k in params)) and "400" not in responses:
            problems.append(f"{name}: 400 not documented")
        if body is not None and not {"413", "415"} <= set(responses):
            problems.append(f"{name}: 413/415 not documented")
        stale_checked = "412" in responses and ("header", "If-Match") in params
        if method in ("put", "patch") and "{" in path and not stale_checked:
            problems.append(f"{name}: a write on a record without If-Match and 412")
        if "412" in responses and ("header", "If-Match") not in params:
            problems.append(f"{name}: 412 documented without the If-Match header")
        for code, answer in responses.items():
            if code[0] in "45":
                schema_of = answer.get("content", {}).get("application/json", {}).get("schema", {})
                if schema_of.get("$ref") != ERROR_REF or len(answer["content"]) != 1:
                    problems.append(f"{name}: {code} is not the Error shape")
            if not answer.get("description"):
                problems.append(f"{name}: {code} has no description")
        description = op.get("description", "")
        if not description.strip() or INTERNAL_WORDS.search(description):
            problems.append(f"{name}: description is missing or internal: {description[:60]!r}")
        # Choice filters list their choices (`* \`1\` - 1`): the same list may well describe two.
        texts = [p["description"] for p in params.values() if p.get("description", "*").lstrip()[:1] != "*"]
        if len(texts) != len(set(texts)):
            problems.append(f"{name}: two parameters share a description")
        ok = resolve(schema, responses.get("200", {}).get("content", {}).get("application/json", {}).get("schema", {}))
        if method == "get" and "results" in ok.get("properties", {}):
            feed = ("query", "after") in params  # the events feed pages by the last id it answered
            if not {("query", "limit"), ("query", "offset")} <= set(params) and not (
                feed and ("query", "limit") in params
            ):
                problems.append(f"{name}: a list without limit/offset")
            if "count_is_estimate" not in ok["properties"] and not feed:
                problems.append(f"{name}: a page without count_is_estimate")
            model_list = "{" not in path and path.rstrip("/").rsplit("/", 1)[1] not in ("audit", "events")
            if model_list and ("query", "updated_after") not in params:
                problems.append(f"{name}: a list without updated_after")
        untyped = ok.get("type") == "object" and not ok.get("properties") and "additionalProperties" not in ok
        if method == "get" and "200" in responses and untyped:
            problems.append(f"{name}: an untyped answer")
    assert not problems, "\n".join(problems)


def test_components_are_written_for_integrators(schema):
    internal = {
        name: component["description"]
        for name, component in schema["components"]["schemas"].items()
        if INTERNAL_WORDS.search(component.get("description", ""))
    }
    assert not internal


def test_the_error_shape_is_documented_once(schema):
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["detail"]
    assert error["additionalProperties"] == {
        "type": "array",
        "items": {"type": "string"},
        "description": error["additionalProperties"]["description"],
    }
    # No other error component: every error answer refers to this one.
    assert not [n for n in schema["components"]["schemas"] if n != "Error" and ("Rejected" in n or "Error" in n)]


def test_the_schema_validates_without_warnings(tmp_path, db):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))


# The runtime half: what the schema promises is what the server answers.


def error_shaped(response, status):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    for key, value in body.items():
        if key not in ("detail", "failed_checks", "current_version"):
            assert isinstance(value, list) and all(isinstance(m, str) for m in value), (key, value)
    return body


@pytest.fixture
def executive(db):
    return make_persona("executive")


def test_every_error_under_the_api_is_json_in_the_one_shape(executive):
    client = api_client(executive)
    error_shaped(client.get("/api/v1/no-such-thing/"), 404)
    assert "slash" in error_shaped(client.get("/api/v1/initiatives"), 404)["detail"]
    error_shaped(client.get("/api/v1/initiatives/999999/"), 404)
    error_shaped(client.delete("/api/v1/dashboard/"), 405)
    error_shaped(client.get("/api/v1/initiatives/", HTTP_ACCEPT="application/xml"), 406)
    error_shaped(api_client().get("/api/v1/initiatives/"), 401)
    error_shaped(api_client(make_persona("outsider")).get("/api/v1/initiatives/"), 403)
    bad = error_shaped(client.post("/api/v1/initiatives/", {"title": ""}), 400)
    assert {"title", "owner"} <= set(bad) and "title" in bad["detail"]
    broken = client.post("/api/v1/initiatives/", "{not json", content_type="application/json")
    assert "JSON" in error_shaped(broken, 400)["detail"]


def test_json_writes_take_only_json(executive):
    client = api_client(executive)
    owner = PersonFactory()
    form = client.post("/api/v1/initiatives/", {"title": "Form-encoded", "owner": owner.pk}, format="multipart")
    error_shaped(form, 415)
    assert not Initiative.objects.exists()


def test_a_body_over_the_limit_answers_413_naming_it(executive, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api_client(executive).post(
        "/api/v1/kpi-measurements/bulk/", json.dumps([{"note": "x" * 2000}]), content_type="application/json"
    )
    assert "1000 bytes" in error_shaped(response, 413)["detail"]


def test_the_default_limit_admits_a_full_bulk_request(settings):
    # 10,000 points with 250-character notes are about 3.4 MB.
    point = {"kpi": 12345, "observed_at": "2025-01-31T09:00:00.000000Z", "value": 123.456, "source": "m" * 20}
    body = json.dumps([point | {"note": "n" * 250}] * 10_000)
    assert len(body) < settings.DATA_UPLOAD_MAX_MEMORY_SIZE


@pytest.mark.parametrize(
    "query, name",
    [
        ("limit=0", "limit"),
        ("limit=-1", "limit"),
        ("limit=abc", "limit"),
        ("offset=-1", "offset"),
        ("offset=x", "offset"),
    ],
)
def test_bad_paging_answers_400(executive, query, name):
    body = error_shaped(api_client(executive).get(f"/api/v1/initiatives/?{query}"), 400)
    assert list(body) == [name, "detail"]


def test_a_limit_over_the_maximum_answers_400_naming_it(executive):
    body = error_shaped(api_client(executive).get("/api/v1/initiatives/?limit=1001"), 400)
    assert "1000" in body["limit"][0]
    assert api_client(executive).get("/api/v1/initiatives/?limit=1000").status_code == 200


def test_unknown_fields_are_refused_by_name(executive):
    initiative = InitiativeFactory()
    client = api_client(executive)
    body = error_shaped(client.patch(f"/api/v1/initiatives/{initiative.pk}/", {"titel": "Typo"}), 400)
    assert body["titel"] == ["Unknown field: this resource has no such field."]
    # Read-only fields sent back as read are not unknown.
    read = client.get(f"/api/v1/initiatives/{initiative.pk}/").json()
    assert client.patch(f"/api/v1/initiatives/{initiative.pk}/", {"id": read["id"], "title": "New"}).status_code == 200


def test_a_write_that_changes_nothing_keeps_the_version(executive):
    initiative = InitiativeFactory()
    client = api_client(executive)
    read = client.get(f"/api/v1/initiatives/{initiative.pk}/")
    same = client.patch(
        f"/api/v1/initiatives/{initiative.pk}/",
        {"title": initiative.title, "tags": read.json()["tags"]},
        HTTP_IF_MATCH=read["ETag"],
    )
    assert same.status_code == 200 and same["ETag"] == read["ETag"]
    assert same.json()["version"] == read.json()["version"]
    changed = client.patch(f"/api/v1/initiatives/{initiative.pk}/", {"title": "Another title"})
    assert changed.json()["version"] == read.json()["version"] + 1


def test_if_none_match_answers_304_until_the_record_changes(executive):
    initiative = InitiativeFactory()
    client = api_client(executive)
    etag = client.get(f"/api/v1/initiatives/{initiative.pk}/")["ETag"]
    unchanged = client.get(f"/api/v1/initiatives/{initiative.pk}/", HTTP_IF_NONE_MATCH=etag)
    assert unchanged.status_code == 304 and unchanged["ETag"] == etag and not unchanged.content
    client.patch(f"/api/v1/initiatives/{initiative.pk}/", {"title": "Changed"})
    assert client.get(f"/api/v1/initiatives/{initiative.pk}/", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_if_match_can_be_required(executive, settings):
    initiative = InitiativeFactory()
    client = api_client(executive)
    assert client.patch(f"/api/v1/initiatives/{initiative.pk}/", {"title": "Optional"}).status_code == 200
    settings.API_REQUIRE_IF_MATCH = True
    error_shaped(client.patch(f"/api/v1/initiatives/{initiative.pk}/", {"title": "Required"}), 428)
    etag = client.get(f"/api/v1/initiatives/{initiative.pk}/")["ETag"]
    assert (
        client.patch(f"/api/v1/initiatives/{initiative.pk}/", {"title": "Sent"}, HTTP_IF_MATCH=etag).status_code == 200
    )


def test_a_stale_if_match_answers_412_with_the_current_version(executive):
    initiative = InitiativeFactory()
    client = api_client(executive)
    etag = client.get(f"/api/v1/initiatives/{initiative.pk}/")["ETag"]
    client.patch(f"/api/v1/initiatives/{initiative.pk}/", {"title": "First"})
    body = error_shaped(
        client.patch(f"/api/v1/initiatives/{initiative.pk}/", {"title": "Second"}, HTTP_IF_MATCH=etag), 412
    )
    assert body["current_version"] == Initiative.objects.get().version


def test_updated_after_lists_only_what_changed(executive):
    old, recent = InitiativeFactory.create_batch(2)
    moment = timezone.now()
    Initiative.objects.filter(pk=old.pk).update(updated_at=moment - timedelta(days=1))
    Initiative.objects.filter(pk=recent.pk).update(updated_at=moment + timedelta(seconds=1))
    client = api_client(executive)
    stamp = moment.isoformat().replace("+00:00", "Z")
    page = client.get("/api/v1/initiatives/", {"updated_after": stamp, "ordering": "updated_at"}).json()
    assert [row["id"] for row in page["results"]] == [recent.pk]
    error_shaped(client.get("/api/v1/initiatives/", {"updated_after": "yesterday"}), 400)
    # Every list takes it, KPIs for one.
    KPIFactory()
    later = (timezone.now() + timedelta(hours=1)).isoformat()
    assert client.get("/api/v1/kpis/", {"updated_after": later}).json()["count"] == 0
    assert client.get("/api/v1/kpis/", {"updated_after": stamp}).json()["count"] == 1


def test_every_answer_announces_the_rate_limit_and_429_says_when_to_retry(executive, monkeypatch):
    from django.core.cache import cache

    from vpportal.core.api_access import UserRateThrottle

    cache.clear()
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "3/min", "anon": "3/min"})
    client = api_client(executive)
    first = client.get("/api/v1/initiatives/")
    assert (first["RateLimit-Limit"], first["RateLimit-Remaining"]) == ("3", "2")
    assert 0 < int(first["RateLimit-Reset"]) <= 60
    bad = client.get("/api/v1/initiatives/?limit=0")  # an error answer carries them too
    assert bad.status_code == 400 and bad["RateLimit-Remaining"] == "1"
    client.get("/api/v1/initiatives/")
    refused = client.get("/api/v1/initiatives/")
    assert error_shaped(refused, 429) and int(refused["Retry-After"]) > 0
    assert refused["RateLimit-Remaining"] == "0"
    cache.clear()
