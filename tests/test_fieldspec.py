"""One description per model: a column declared once in a spec shows up in the list, the detail
page, the export, the import/export file and the form's and serializer's fields; labels are the
model's verbose names; files name relations by natural key; a row's problems are reported together;
a derived value read from the database is never dropped."""

import pytest

from governance.models import Risk
from governance.specs import RISK
from initiatives.filtersets.portfolio import InitiativeFilterSet, KPIFilterSet
from initiatives.forms.portfolio import InitiativeForm
from initiatives.models import Initiative
from initiatives.specs import INITIATIVE, KPI_SPEC
from tests.factories.people import PersonFactory
from tests.factories.portfolio import InitiativeFactory
from vpportal.core.api import spec_fields
from vpportal.core.fieldspec import Column, FieldSpec
from vpportal.people.specs import PERSON_KEY


def test_a_column_declared_once_reaches_every_place():
    spec = FieldSpec(
        Initiative,
        Column("title"),
        Column("budget", detail=True),
        Column("owner", file=PERSON_KEY.codec()),
        list=("title", "budget"),
    )
    assert [path for path, *_ in spec.list_columns()] == ["title", "budget"]
    assert spec.detail_fields() == [("budget", "Budget")]
    assert spec.export_columns() == [("title", "Title"), ("budget", "Budget"), ("owner", "Owner")]
    assert spec.file_columns() == ("title", "budget", "owner_email")
    assert spec.editable_fields() == ["title", "budget", "owner"]
    assert spec_fields(spec)[:4] == ["id", "title", "budget", "owner"]


def test_a_column_can_draw_its_list_cell_with_a_template():
    (status,) = [column for column in KPI_SPEC.list_columns() if column[0] == "status"]
    assert status[3] == "initiatives/cells/kpi_status.html"


def test_labels_are_the_verbose_names_and_headers_sort_where_the_filterset_orders():
    columns = {path: (label, key) for path, label, key, _ in INITIATIVE.list_columns(InitiativeFilterSet)}
    assert columns["target_date"] == ("Target date", "target_date")
    kpi_columns = {path: (label, key) for path, label, key, _ in KPI_SPEC.list_columns(KPIFilterSet)}
    assert kpi_columns["latest_value"] == ("Latest value", None)  # the FilterSet does not order by it
    assert kpi_columns["latest_observed_at"] == ("Last measured", "latest_observed_at")
    assert dict(INITIATIVE.export_columns())["executive_sponsor"] == "Executive sponsor"


def test_the_form_takes_its_fields_from_the_spec():
    assert list(InitiativeForm.base_fields)[: len(INITIATIVE.editable_fields())] == INITIATIVE.editable_fields()


@pytest.mark.django_db
def test_files_name_relations_by_natural_key_and_write_choices_by_label():
    owner = PersonFactory(email="owner@example.com")
    initiative = InitiativeFactory(owner=owner, executive_sponsor=None, health="at_risk", budget="1200.50")
    initiative.refresh_from_db()
    row = dict(zip(INITIATIVE.file_columns(), INITIATIVE.file_row(initiative), strict=True))
    assert row["owner_email"] == "owner@example.com" and row["executive_sponsor_email"] == ""
    assert row["health"] == "At risk" and row["budget"] == "1200.5"
    errors = {}
    assert (
        INITIATIVE.read_row({k: str(v) for k, v in row.items()}, {}, errors)["health"] == "at_risk" and not errors
    )  # read back to the value


@pytest.mark.django_db
def test_reading_a_row_reports_every_problem_at_once():
    errors = {}
    row = {"title": "", "owner_email": "nobody@example.com", "stage": "orbit", "start_date": "soon"}
    INITIATIVE.read_row(row, {}, errors)
    assert set(errors) == {"title", "owner_email", "stage", "start_date"}
    assert errors["owner_email"] == ["No person with the email nobody@example.com."]


@pytest.mark.django_db
def test_a_derived_value_from_the_database_is_read_not_dropped():
    risk = Risk(likelihood=2, impact=3)
    assert (risk.inherent_score, risk.residual_score, risk.inherent_level) == (6, 6, "medium")
    risk.inherent_score = 20  # what the QuerySet's annotation does on a row it reads
    assert risk.inherent_score == 20


def test_scores_are_not_files_columns_and_the_risk_file_keeps_its_columns():
    assert "inherent_score" not in RISK.file_columns()
    assert RISK.file_columns()[:7] == (
        "key",
        "title",
        "description",
        "category",
        "ai_system_name",
        "initiative_key",
        "owner_email",
    )


def test_the_admin_list_and_the_import_file_s_required_columns_come_from_the_spec():
    from django.contrib import admin

    from leadership.imports.importer import REQUIRED

    spec = FieldSpec(
        Initiative,
        Column("title"),
        Column("owner", file=PERSON_KEY.codec(required=True)),
        Column("stage_label", file=False),
        Column("tags"),
        Column("currency"),
        list=("title", "owner", "stage_label", "tags"),
    )
    # Annotations and properties ("stage_label") are left to the pages unless the admin shows them.
    assert spec.admin_columns() == ("title", "owner", "tags")
    assert spec.admin_columns(own={"stage_label"}) == ("title", "owner", "stage_label", "tags")
    assert spec.relations(spec.admin_columns()) == ("owner",)
    # A column with a default (currency) need not be in the file; a required relation names its column.
    assert spec.required_file_columns() == ("title", "owner_email")

    initiatives = admin.site._registry[Initiative]
    assert initiatives.list_display == INITIATIVE.admin_columns()
    assert initiatives.list_select_related == ("owner",)
    risks = admin.site._registry[Risk]
    assert {"inherent_score", "residual_level"} <= set(risks.list_display)  # the admin's own display methods
    assert REQUIRED["initiatives"] == ("title", "owner_email")
    assert REQUIRED["risks"] == ("title", "category", "likelihood", "impact")
    assert REQUIRED["kpi-measurements"] == ("kpi_name", "observed_at", "value")
