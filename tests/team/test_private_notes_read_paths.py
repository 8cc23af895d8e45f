"""Private notes are masked in SQL for the reader of the query (`visible_to(user)`), so no read path
returns them to someone who may not read them: model rows, `values()`, `values_list()`, `only()`,
`defer()`, `iterator()`, filters and orderings on the column, joins from the mentorship, related
managers and prefetches, CSV and XLSX exports, search, history, the audit API and the admin. The
history and audit placeholder is the same whether the notes were empty or not."""

import io

import pytest
from django.urls import reverse

from initiatives.models import Mentorship, MentorshipSession
from tests.conftest import api_client, page_client
from tests.factories.team import MentorshipSessionFactory
from vpportal.core.audit import HIDDEN

pytestmark = pytest.mark.django_db

SECRET = "SECRET-NOTE-ALPHA"
MAY_READ = ("executive", "mentor", "contributor")  # the contributor persona is the mentee
MAY_NOT_READ = ("leader", "governance", "auditor")


def _read_paths(user) -> dict:
    """What each ORM read path through `visible_to(user)` hands out for the notes."""
    sessions = MentorshipSession.objects.visible_to(user)
    mentorships = Mentorship.objects.visible_to(user)
    return {
        "instance": sessions.get().private_notes,
        "values": sessions.values()[0]["private_notes"],
        "values_named": sessions.values("private_notes")[0]["private_notes"],
        "values_list": sessions.values_list("private_notes", flat=True)[0],
        "only": sessions.select_related(None).only("topics").get().private_notes,  # loaded later, on access
        "defer": sessions.defer("private_notes").get().private_notes,
        "only_after": MentorshipSession.objects.only("topics")
        .visible_to(user)
        .select_related(None)
        .get()
        .private_notes,
        "iterator": next(sessions.iterator()).private_notes,
        "with_related": sessions.with_related().get().private_notes,
        "join_values": mentorships.values_list("sessions__private_notes", flat=True)[0],
        "related_manager": mentorships.get().sessions.get().private_notes,
        "prefetch": mentorships.prefetch_related("sessions").get().sessions.all()[0].private_notes,
        "filter_icontains": sessions.filter(private_notes__icontains="secret").count(),
        "filter_regex": sessions.filter(private_notes__regex="^SECRET").count(),
        "filter_gt": sessions.filter(private_notes__gt="R").count(),
        "filter_exact": sessions.filter(private_notes=SECRET).count(),
        "ordered": list(sessions.order_by("private_notes").values_list("private_notes", flat=True)),
    }


@pytest.mark.parametrize("who", MAY_READ + MAY_NOT_READ)
def test_every_orm_read_path_returns_the_notes_only_to_their_readers(readers, session, who):
    paths = _read_paths(readers[who])
    may = who in MAY_READ
    expected_text, expected_match = (SECRET, 1) if may else ("", 0)
    for name, value in paths.items():
        if name.startswith("filter_"):
            assert value == expected_match, name
        elif name == "ordered":
            assert value == [expected_text], name
        else:
            assert value == expected_text, name


@pytest.mark.parametrize("who", MAY_READ + MAY_NOT_READ)
def test_csv_and_xlsx_exports_carry_notes_only_for_their_readers(readers, session, who):
    from openpyxl import load_workbook

    client = page_client(readers[who])
    url = reverse("initiatives:mentorshipsession_list")
    csv_text = b"".join(client.get(url, {"export": "csv"}).streaming_content).decode()
    sheet = load_workbook(io.BytesIO(client.get(url, {"export": "xlsx"}).content)).active
    xlsx_text = " ".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None)
    for text in (csv_text, xlsx_text):
        assert "Career paths" in text
        assert (SECRET in text) is (who in MAY_READ)


@pytest.mark.parametrize("who", MAY_NOT_READ)
def test_api_search_and_ordering_never_reach_the_notes(readers, session, who):
    client = api_client(readers[who])
    assert client.get("/api/v1/mentorship-sessions/", {"search": "SECRET"}).json()["count"] == 0
    ordered = client.get("/api/v1/mentorship-sessions/", {"ordering": "private_notes"})
    assert ordered.status_code in (200, 400) and SECRET not in ordered.content.decode()
    assert client.get("/api/v1/mentorship-sessions/", {"private_notes": SECRET}).json()["count"] == 1  # ignored


@pytest.mark.parametrize("notes", ("", "something private"))
def test_history_audit_and_admin_show_one_placeholder_whether_or_not_notes_are_empty(
    mentorship, executive, leader, governance, notes
):
    session = MentorshipSessionFactory(mentorship=mentorship, private_notes=notes, topics="Placeholder check")
    api_client(executive).patch(
        f"/api/v1/mentorship-sessions/{session.pk}/", {"private_notes": notes + " more"}, format="json"
    )
    history = page_client(leader).get(reverse("initiatives:mentorshipsession_history", args=[session.pk]))
    entries = history.context["entries"]
    shown = [(c.old, c.new) for e in entries for c in e.changes if c.field == "private_notes"]
    assert shown == [(HIDDEN, HIDDEN), ("", HIDDEN)]  # the change, then the creation
    events = api_client(leader).get("/api/v1/audit/", {"model": "initiatives.mentorshipsession"}).json()["results"]
    audited = [(c["old"], c["new"]) for e in events for c in e["changes"] if c["field"] == "private_notes"]
    assert audited == [(HIDDEN, HIDDEN), ("", HIDDEN)]
    admin = page_client(governance).get(reverse("admin:initiatives_mentorshipsession_history", args=[session.pk]))
    assert admin.status_code == 200 and "something private" not in admin.content.decode()
    assert HIDDEN in admin.content.decode()
