"""Admin inline rows (milestones, KPIs on the initiative page) carry the version they were loaded
with: a stale row is refused, nothing is written, and the page comes back with what the user typed;
saving again then overwrites deliberately. Rows the user did not touch are not written at all."""

import pytest
from django.urls import reverse

from initiatives.models import KPI, Milestone
from tests.conftest import api_client, page_client
from tests.factories.portfolio import InitiativeFactory, KPIFactory, MilestoneFactory

pytestmark = pytest.mark.django_db


def form_data(response) -> dict:
    """The POST body the change page would send as loaded: main form, inline rows, management forms."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        forms += [formset.management_form, *formset.forms]
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or name == "DELETE":
                continue
            value = [str(v) for v in value] if isinstance(value, list | tuple) else str(value)
            data[form.add_prefix(name)] = value
            if form.fields[name].show_hidden_initial:  # fields with a callable default
                data[form.add_initial_prefix(name)] = value
    return data


@pytest.fixture
def initiative():
    initiative = InitiativeFactory()
    MilestoneFactory(initiative=initiative, title="Original milestone")
    KPIFactory(initiative=initiative, name="Original KPI")
    return initiative


def _row_prefix(data, prefix, field, value):
    return next(
        key.rsplit("-", 1)[0]
        for key, v in data.items()
        if key.startswith(prefix) and key.endswith(field) and v == value
    )


@pytest.mark.parametrize(
    ("prefix", "field", "original", "model", "api"),
    [
        ("milestones", "title", "Original milestone", Milestone, "milestones"),
        ("kpis", "name", "Original KPI", KPI, "kpis"),
    ],
)
def test_a_stale_inline_row_is_refused_and_keeps_what_was_typed(
    executive, initiative, prefix, field, original, model, api
):
    client = page_client(executive)
    url = reverse("admin:initiatives_initiative_change", args=[initiative.pk])
    data = form_data(client.get(url))
    row = _row_prefix(data, prefix, f"-{field}", original)
    record = model.objects.get(**{field: original})
    newer = api_client(executive).patch(f"/api/v1/{api}/{record.pk}/", {field: "Newer elsewhere"}, format="json")
    assert newer.status_code == 200
    data[f"{row}-{field}"] = "Typed in the admin"
    response = client.post(url, data)
    assert response.status_code == 200  # the page again, not a redirect
    text = response.content.decode()
    assert "Someone else changed this record" in text and "Typed in the admin" in text
    record.refresh_from_db()
    assert getattr(record, field) == "Newer elsewhere" and record.version == 2
    # The page now carries the current version: a second save overwrites, deliberately.
    again = form_data(response)
    assert again[f"{row}-loaded_version"] == "2"
    assert client.post(url, again).status_code == 302
    record.refresh_from_db()
    assert getattr(record, field) == "Typed in the admin" and record.version == 3


def test_a_stale_inline_delete_is_refused(executive, initiative):
    client = page_client(executive)
    url = reverse("admin:initiatives_initiative_change", args=[initiative.pk])
    data = form_data(client.get(url))
    row = _row_prefix(data, "milestones", "-title", "Original milestone")
    milestone = Milestone.objects.get(initiative=initiative)
    api_client(executive).patch(f"/api/v1/milestones/{milestone.pk}/", {"title": "Newer"}, format="json")
    data[f"{row}-DELETE"] = "on"
    assert client.post(url, data).status_code == 200
    assert Milestone.objects.filter(pk=milestone.pk).exists()


def test_untouched_rows_and_an_untouched_record_are_not_written(executive, initiative):
    client = page_client(executive)
    url = reverse("admin:initiatives_initiative_change", args=[initiative.pk])
    data = form_data(client.get(url))
    row = _row_prefix(data, "milestones", "-title", "Original milestone")
    data[f"{row}-title"] = "Only this row"
    assert client.post(url, data).status_code == 302
    initiative.refresh_from_db()
    assert initiative.version == 1
    assert KPI.objects.get(initiative=initiative).version == 1
    assert Milestone.objects.get(initiative=initiative).version == 2


def test_every_admin_inline_of_a_tracked_model_carries_the_version():
    """The rule holds for inlines added later too: any inline whose rows are tracked records is a
    TrackedInline (version field, stale rows refused); inlines of plain link rows (evidence links)
    have no version to carry."""
    from django.contrib import admin

    from vpportal.core.admin import TrackedInline
    from vpportal.core.models import Tracked

    inlines = [inline for model_admin in admin.site._registry.values() for inline in model_admin.inlines]
    tracked = [inline for inline in inlines if issubclass(inline.model, Tracked)]
    assert tracked  # milestones and KPIs on the initiative
    assert [i.__name__ for i in tracked if not issubclass(i, TrackedInline)] == []
