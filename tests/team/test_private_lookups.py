"""No URL of the admin (or of the API and web lists) filters, searches or sorts on a column whose
reading is restricted: every lookup on `private_notes`, directly or through a join, is refused, so
the row count cannot answer yes or no about what the notes say."""

import pytest
from django.contrib import admin
from django.urls import reverse

from initiatives.models import MentorshipSession
from tests.conftest import api_client, page_client
from vpportal.core.private_fields import private_field_names, reaches_private_field

pytestmark = pytest.mark.django_db

FIELD = MentorshipSession._meta.get_field("private_notes")
# Every lookup Django knows on the column (icontains, regex, gt, in, isnull, ...) and a transform.
SUFFIXES = ["", *(f"__{name}" for name in sorted(FIELD.get_lookups())), "__lower__contains"]


def test_the_declaration_names_the_restricted_column():
    assert private_field_names(MentorshipSession) == {"private_notes"}
    assert len(SUFFIXES) > 15


@pytest.mark.parametrize("who", ("governance", "executive"))  # staff without and with the notes right
def test_every_admin_lookup_on_private_notes_is_refused(readers, session, who):
    client = page_client(readers[who])
    changelists = {
        reverse("admin:initiatives_mentorshipsession_changelist"): "private_notes",
        reverse("admin:initiatives_mentorship_changelist"): "sessions__private_notes",
    }
    for url, path in changelists.items():
        assert client.get(url).status_code == 200
        for suffix in SUFFIXES:
            value = "true" if suffix == "__isnull" else "SECRET"
            response = client.get(url, {f"{path}{suffix}": value})
            assert response.status_code == 400, (path, suffix, response.status_code)


def test_no_admin_searches_sorts_or_filters_on_a_restricted_column(governance):
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = governance
    for model, model_admin in admin.site._registry.items():
        declared = [
            *model_admin.get_search_fields(request),
            *(f for f in model_admin.get_sortable_by(request) if isinstance(f, str)),
            *(str(f) for f in (model_admin.get_ordering(request) or ())),
            *(f for f in model_admin.list_filter if isinstance(f, str)),
            *([model_admin.date_hierarchy] if model_admin.date_hierarchy else []),
        ]
        assert not [name for name in declared if reaches_private_field(model, name)], model


def test_a_restricted_column_declared_for_search_or_sorting_is_dropped(governance, session):
    from django.test import RequestFactory

    from initiatives.admin.team import MentorshipSessionAdmin

    careless = type(
        "CarelessAdmin",
        (MentorshipSessionAdmin,),
        {
            "search_fields": ("topics", "private_notes", "mentorship__sessions__private_notes"),
            "ordering": ("-private_notes", "held_on"),
            "list_display": ("held_on", "private_notes"),
        },
    )(MentorshipSession, admin.site)
    request = RequestFactory().get("/admin/")
    request.user = governance
    assert careless.get_search_fields(request) == ["topics"]
    assert careless.get_ordering(request) == ["held_on"]
    assert careless.get_sortable_by(request) == ["held_on"]


@pytest.mark.parametrize("suffix", ("", "__icontains", "__regex", "__gt"))
def test_api_and_web_lists_ignore_filters_and_orderings_on_the_notes(leader, session, suffix):
    # A guard: the shared FilterSets declare their filters and sort keys, so this hole is not there.
    api = api_client(leader)
    unfiltered = api.get("/api/v1/mentorship-sessions/").json()["count"]
    for value in ("SECRET", "nothing-like-it"):
        answer = api.get("/api/v1/mentorship-sessions/", {f"private_notes{suffix}": value})
        assert answer.json()["count"] == unfiltered  # not a filter: the count says nothing
    page = page_client(leader).get(reverse("initiatives:mentorshipsession_list"), {f"private_notes{suffix}": "x"})
    assert len(page.context["object_list"]) == unfiltered
    ordered = api.get("/api/v1/mentorship-sessions/", {"ordering": "private_notes"})
    assert ordered.status_code == 400  # not a sort key
