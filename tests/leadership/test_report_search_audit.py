"""The executive report (HTML and a valid PDF with its sections), global search (never private
data), and the audit API (filters, pagination, private notes masked)."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from tests.conftest import api_client, page_client
from tests.factories.people import PersonFactory
from tests.factories.team import MentorshipSessionFactory
from vpportal.people.models import Person

pytestmark = pytest.mark.django_db

SECTIONS = (
    "Executive report",
    "Portfolio",
    "KPI status",
    "Top residual risks",
    "Governance status",
    "Team development",
)


def test_the_report_page_has_every_section_and_inline_svg_charts(world, leader):
    response = page_client(leader).get(reverse("report"))
    body = response.content.decode()
    assert response.status_code == 200
    for title in SECTIONS:
        assert title in body
    assert body.count("<svg") >= 2 and "<script>" not in body and ' style="' not in body


def test_the_report_pdf_is_valid_and_holds_the_expected_sections(world, executive):
    response = page_client(executive).get(reverse("report_pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for title in SECTIONS:
        assert title in text, title
    assert "Risk 0" in text or "RSK-" in text


@pytest.mark.parametrize("persona", ["contributor", "auditor"])
def test_every_role_may_read_the_report(personas, persona):
    assert page_client(personas[persona]).get(reverse("report")).status_code == 200


def test_the_report_is_refused_without_a_role(outsider):
    assert page_client(outsider).get(reverse("report_pdf")).status_code == 403
    assert page_client().get(reverse("report")).status_code == 302


def test_search_finds_each_kind_and_links_to_the_filtered_list(world, auditor):
    PersonFactory(name="Zebulon Searchable")
    body = page_client(auditor).get(reverse("search") + "?q=Zebulon").content.decode()
    assert "Zebulon Searchable" in body and "People" in body
    body = page_client(auditor).get(reverse("search") + "?q=Initiative").content.decode()
    assert "Initiatives" in body


def test_search_never_reveals_private_mentorship_notes(auditor, executive):
    MentorshipSessionFactory(private_notes="zanzibar-secret", topics="Regular topics")
    for user in (auditor, executive):
        body = page_client(user).get(reverse("search") + "?q=zanzibar-secret").content.decode()
        assert "zanzibar-secret" not in body.replace('value="zanzibar-secret"', "").replace("“zanzibar-secret”", "")
        assert "Nothing matches" in body


def test_search_shows_nothing_to_people_without_a_role(world, outsider):
    assert page_client(outsider).get(reverse("search") + "?q=Initiative").status_code == 403


def test_audit_lists_events_across_models_newest_first_with_changes(world, auditor, executive):
    person = PersonFactory(title="Before")
    api_client(executive).patch(f"/api/v1/people/{person.pk}/", {"title": "After"}, format="json")
    data = api_client(auditor).get("/api/v1/audit/?limit=5").json()
    assert data["count"] > 20 and len(data["results"]) == 5 and data["next"]
    latest = data["results"][0]
    assert latest["model"] == "vpportal.person" and latest["action"] == "changed"
    assert latest["username"] == executive.username and latest["channel"] == "api"
    assert {"field": "title", "label": "Title", "old": "Before", "new": "After"} in latest["changes"]
    moments = [e["at"] for e in data["results"]]
    assert moments == sorted(moments, reverse=True)


def test_audit_filters_by_model_user_channel_and_dates(world, executive):
    person = PersonFactory()
    api_client(executive).patch(f"/api/v1/people/{person.pk}/", {"title": "X"}, format="json")
    client = api_client(executive)
    by_user = client.get(f"/api/v1/audit/?user={executive.pk}&channel=api").json()
    assert by_user["count"] == 1 and by_user["results"][0]["object_id"] == person.pk
    risks = client.get("/api/v1/audit/?model=governance.risk").json()
    assert risks["count"] and {e["model"] for e in risks["results"]} == {"governance.risk"}
    assert client.get("/api/v1/audit/?since=2999-01-01T00:00:00Z").json()["count"] == 0
    assert client.get("/api/v1/audit/?model=nope").status_code == 400
    assert client.get("/api/v1/audit/?user=89207977222530691746888178228203975182").status_code == 400
    assert client.get("/api/v1/audit/?until=yesterday").status_code == 400


def test_audit_masks_private_notes_for_everyone_but_participants_and_executives(auditor, leader, executive):
    MentorshipSessionFactory(private_notes="the-hidden-note", mentorship__mentee=Person.objects.of_user(leader))
    url = "/api/v1/audit/?model=initiatives.mentorshipsession"

    def notes(user):
        changes = api_client(user).get(url).json()["results"][0]["changes"]
        return next(c["new"] for c in changes if c["field"] == "private_notes")

    assert notes(auditor) == "(hidden)"
    assert notes(executive) == "the-hidden-note"
    assert notes(leader) == "the-hidden-note"


def test_audit_is_refused_without_a_role_and_to_anonymous(outsider):
    assert api_client(outsider).get("/api/v1/audit/").status_code == 403
    assert api_client().get("/api/v1/audit/").status_code == 401


def test_audit_costs_the_same_queries_for_a_full_page(executive, django_assert_num_queries):
    from tests.leadership.conftest import build_world

    build_world(1)
    client = api_client(executive)
    client.get("/api/v1/audit/?limit=20&model=governance.risk")
    with django_assert_num_queries(8) as first:
        client.get("/api/v1/audit/?limit=20&model=governance.risk")
    build_world(3)
    with django_assert_num_queries(len(first.captured_queries)):
        client.get("/api/v1/audit/?limit=20&model=governance.risk")
