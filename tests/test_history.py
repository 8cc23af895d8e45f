"""Every create, update and delete, through pages, admin and API, is in history with its user."""

import pytest
from django.urls import reverse

from tests.conftest import api_client, page_client
from tests.factories.people import PersonFactory
from vpportal.people.models import Person

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Hist Person",
    "email": "hist@example.com",
    "function": "legal",
    "career_level": "senior",
    "active": "on",
}


def history_of(email):
    return list(Person.history.filter(email=email).order_by("history_date", "history_id"))


def assert_created_updated_deleted(user, channel):
    """The person of FORM went through create, update and delete, each recorded with `user` and
    `channel`; answers its history rows."""
    rows = history_of("hist@example.com")
    assert [(r.history_type, r.history_user, r.history_channel) for r in rows] == [
        ("+", user, channel),
        ("~", user, channel),
        ("-", user, channel),
    ]
    return rows


def test_pages_record_create_update_delete_with_user_and_channel(executive):
    client = page_client(executive)
    client.post(reverse("people:person_add"), FORM)
    person = Person.objects.get(email="hist@example.com")
    client.post(reverse("people:person_edit", args=[person.pk]), FORM | {"title": "Counsel", "version": 1})
    client.post(reverse("people:person_delete", args=[person.pk]), {"version": 2})
    assert_created_updated_deleted(executive, "web")


def test_admin_records_create_update_delete_with_user_and_channel(executive):
    client = page_client(executive)
    client.post(reverse("admin:vpportal_person_add"), FORM)
    person = Person.objects.get(email="hist@example.com")
    client.post(reverse("admin:vpportal_person_change", args=[person.pk]), FORM | {"title": "X", "loaded_version": 1})
    client.post(reverse("admin:vpportal_person_delete", args=[person.pk]), {"post": "yes"})
    rows = assert_created_updated_deleted(executive, "admin")
    assert rows[1].title == "X"


def test_api_records_create_update_delete_with_user_and_channel(executive):
    client = api_client(executive)
    created = client.post("/api/v1/people/", {**FORM, "active": True}, format="json").json()
    client.patch(f"/api/v1/people/{created['id']}/", {"title": "API title"}, format="json")
    client.delete(f"/api/v1/people/{created['id']}/")
    assert_created_updated_deleted(executive, "api")


def test_a_stale_admin_save_is_refused_and_changes_nothing(executive):
    person = PersonFactory(title="Kept")
    client = page_client(executive)
    api_client(executive).patch(f"/api/v1/people/{person.pk}/", {"title": "Newer"}, format="json")
    data = {
        "name": person.name,
        "email": person.email,
        "function": "legal",
        "career_level": "senior",
        "title": "Stale",
        "loaded_version": 1,
    }
    response = client.post(reverse("admin:vpportal_person_change", args=[person.pk]), data, follow=True)
    assert "Someone else changed this record" in response.content.decode()
    person.refresh_from_db()
    assert person.title == "Newer"


def test_history_page_shows_who_changed_which_fields(executive, auditor):
    person = PersonFactory(title="Old title")
    api_client(executive).patch(f"/api/v1/people/{person.pk}/", {"title": "New title"}, format="json")
    response = page_client(auditor).get(reverse("people:person_history", args=[person.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Old title" in body and "New title" in body and "api" in body
    # the person by name; the login beside it, since in an audit trail the account matters
    assert f'{executive.person.name} <span class="text-muted small">({executive.username})</span>' in body


def test_history_page_is_refused_to_users_without_a_role(outsider):
    person = PersonFactory()
    assert page_client(outsider).get(reverse("people:person_history", args=[person.pk])).status_code == 403
