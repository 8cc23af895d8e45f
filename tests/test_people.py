"""People pages and API: each role may do what PRODUCT.md says, and nothing more."""

import pytest
from django.urls import reverse

from tests.conftest import PERSONAS, api_client, page_client
from tests.factories.people import PersonFactory
from vpportal.people.models import Person

READERS = ("executive", "leader", "governance", "contributor", "auditor")
WRITERS = ("executive",)

pytestmark = pytest.mark.django_db


def person_payload(**overrides):
    data = {
        "name": "Nora Quinn",
        "email": "nora.quinn@example.com",
        "title": "Data Scientist",
        "function": "data_science",
        "career_level": "senior",
        "active": True,
    }
    return data | overrides


@pytest.mark.parametrize("role", PERSONAS)
def test_each_role_reads_people_pages_only_with_a_role(personas, role):
    person = PersonFactory()
    client = page_client(personas[role])
    expected = 200 if role in READERS else 403
    assert client.get(reverse("people:person_list")).status_code == expected
    assert client.get(person.get_absolute_url()).status_code == (200 if role in READERS else 403)


def test_anonymous_is_sent_to_login():
    response = page_client().get(reverse("people:person_list"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


@pytest.mark.parametrize("role", PERSONAS)
def test_only_executives_create_people_through_pages(personas, role):
    client = page_client(personas[role])
    assert client.get(reverse("people:person_add")).status_code == (200 if role in WRITERS else 403)
    response = client.post(reverse("people:person_add"), person_payload())
    assert Person.objects.filter(email="nora.quinn@example.com").exists() is (role in WRITERS)
    if role in WRITERS:
        assert response.status_code == 302


@pytest.mark.parametrize("role", PERSONAS)
def test_only_executives_write_people_through_the_api(personas, role):
    person = PersonFactory()
    client = api_client(personas[role])
    create = client.post("/api/v1/people/", person_payload(), format="json")
    update = client.patch(f"/api/v1/people/{person.pk}/", {"title": "Changed"}, format="json")
    delete = client.delete(f"/api/v1/people/{person.pk}/")
    if role in WRITERS:
        assert (create.status_code, update.status_code, delete.status_code) == (201, 200, 204)
    else:
        assert create.status_code == 403
        assert update.status_code in (403, 404) and delete.status_code in (403, 404)
        person.refresh_from_db()
        assert person.title != "Changed"


@pytest.mark.parametrize("role", PERSONAS)
def test_each_role_reads_people_through_the_api(personas, role):
    response = api_client(personas[role]).get("/api/v1/people/")
    assert response.status_code == (200 if role in READERS else 403)


def test_anonymous_api_calls_get_401():
    assert api_client().get("/api/v1/people/").status_code == 401
    assert api_client().post("/api/v1/people/", person_payload(), format="json").status_code == 401


def test_the_form_shows_field_errors_and_keeps_input(executive):
    PersonFactory(email="taken@example.com")
    response = page_client(executive).post(
        reverse("people:person_add"), person_payload(name="Kept Name", email="taken@example.com")
    )
    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert b"Kept Name" in response.content
    assert Person.objects.filter(name="Kept Name").count() == 0


def test_the_api_answers_400_per_field_and_writes_nothing(executive):
    response = api_client(executive).post("/api/v1/people/", person_payload(email="not-an-email", function="wizard"))
    assert response.status_code == 400
    assert set(response.json()) >= {"email", "function"}
    assert not Person.objects.filter(name="Nora Quinn").exists()


def test_a_person_cannot_manage_themselves(executive):
    person = PersonFactory()
    response = api_client(executive).patch(f"/api/v1/people/{person.pk}/", {"manager": person.pk}, format="json")
    assert response.status_code == 400
    assert "manager" in response.json()


def test_stale_form_shows_a_conflict_and_keeps_the_input(executive):
    person = PersonFactory(name="Original")
    url = reverse("people:person_edit", args=[person.pk])
    stale_version = person.version
    api_client(executive).patch(f"/api/v1/people/{person.pk}/", {"title": "Changed elsewhere"}, format="json")
    response = page_client(executive).post(url, person_payload(name="Mine", email=person.email, version=stale_version))
    assert response.status_code == 200
    assert "Someone else changed this record" in response.content.decode()
    assert b'value="Mine"' in response.content
    person.refresh_from_db()
    assert (person.name, person.title) == ("Original", "Changed elsewhere")
    # The second save, knowingly made over the newer version, goes through.
    again = page_client(executive).post(url, response.context["form"].data)
    assert again.status_code == 302
    person.refresh_from_db()
    assert person.name == "Mine"


def test_stale_if_match_gets_412_and_changes_nothing(executive):
    person = PersonFactory(title="Before")
    client = api_client(executive)
    etag = client.get(f"/api/v1/people/{person.pk}/")["ETag"]
    assert client.patch(f"/api/v1/people/{person.pk}/", {"title": "First"}, HTTP_IF_MATCH=etag).status_code == 200
    stale = client.patch(f"/api/v1/people/{person.pk}/", {"title": "Second"}, HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert client.delete(f"/api/v1/people/{person.pk}/", HTTP_IF_MATCH=etag).status_code == 412
    person.refresh_from_db()
    assert person.title == "First"


def test_list_filters_search_and_sorting_share_one_filterset(executive):
    PersonFactory(name="Zed Alpha", function="legal")
    PersonFactory(name="Amy Beta", function="data_science")
    client = api_client(executive)
    names = [p["name"] for p in client.get("/api/v1/people/?function=legal").json()["results"]]
    assert names == ["Zed Alpha"]
    assert [p["name"] for p in client.get("/api/v1/people/?search=beta").json()["results"]] == ["Amy Beta"]
    ordered = [p["name"] for p in client.get("/api/v1/people/?ordering=-name&limit=2").json()["results"]]
    assert ordered[0] == "Zed Alpha"
    page = page_client(executive).get(reverse("people:person_list"), {"function": "legal", "q": "zed"})
    assert list(page.context["object_list"]) == list(Person.objects.filter(name="Zed Alpha"))


def test_csv_export_holds_the_filtered_rows(executive):
    PersonFactory(name="Exported One", function="legal")
    PersonFactory(name="Filtered Out", function="finance")
    response = page_client(executive).get(reverse("people:person_list"), {"function": "legal", "export": "csv"})
    body = b"".join(response.streaming_content).decode()
    assert response["Content-Type"].startswith("text/csv")
    assert "Exported One" in body and "Filtered Out" not in body


def test_people_list_page_runs_constant_queries(executive, django_assert_num_queries):
    client = page_client(executive)
    client.get(reverse("people:person_list"))  # warm the session
    PersonFactory.create_batch(5)
    # session, user, roles, count, page (manager joined), the manager filter's choices
    with django_assert_num_queries(6):
        client.get(reverse("people:person_list"))
    PersonFactory.create_batch(30, manager=PersonFactory())
    with django_assert_num_queries(6):
        client.get(reverse("people:person_list"))


def test_people_api_list_and_detail_run_constant_queries(executive, django_assert_num_queries):
    client = api_client(executive)
    PersonFactory.create_batch(3)
    # token and user, roles, count, page
    with django_assert_num_queries(4):
        client.get("/api/v1/people/")
    PersonFactory.create_batch(40)
    with django_assert_num_queries(4):
        client.get("/api/v1/people/")
    person = PersonFactory()
    with django_assert_num_queries(3):
        client.get(f"/api/v1/people/{person.pk}/")
