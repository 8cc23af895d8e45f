"""Every list exports XLSX next to CSV (the same filtered rows); the admin imports the importable
models through the same flow as the import page."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from initiatives.models import Initiative
from leadership.imports.tables import csv_bytes
from tests.conftest import page_client
from tests.factories.people import PersonFactory
from tests.factories.portfolio import InitiativeFactory

pytestmark = pytest.mark.django_db


def test_a_list_exports_its_filtered_rows_as_xlsx_with_the_csv_columns(auditor):
    InitiativeFactory(title="Kept", stage="poc")
    InitiativeFactory(title="Filtered out", stage="idea")
    client = page_client(auditor)
    response = client.get(reverse("initiatives:initiative_list") + "?stage=poc&export=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    csv_text = client.get(reverse("initiatives:initiative_list") + "?stage=poc&export=csv").getvalue().decode()
    assert list(rows[0]) == csv_text.splitlines()[0].split(",")
    assert len(rows) == 2 and "Kept" in rows[1]


def test_the_list_page_offers_xlsx_export(auditor):
    body = page_client(auditor).get(reverse("people:person_list") + "?q=x").content.decode()
    assert "export=xlsx" in body and "q=x" in body


def test_the_admin_imports_people_through_the_preview_and_confirmation(executive):
    client = page_client(executive)
    url = reverse("admin:vpportal_person_import")
    assert 'href="import/"' in client.get(reverse("admin:vpportal_person_changelist")).content.decode()
    upload = io.BytesIO(csv_bytes(["email", "name"], [["admin-import@example.com", "Admin Import"]]))
    upload.name = "people.csv"
    response = client.post(url, {"kind": "people", "file": upload})
    assert "1 to create" in response.content.decode()
    client.post(url, {"token": response.context["token"]})
    person = PersonFactory._meta.model.objects.get(email="admin-import@example.com")
    assert person.history.get().history_channel == "admin"


def test_the_admin_import_is_refused_to_staff_who_may_not_import(governance):
    response = page_client(governance).get(reverse("admin:initiatives_initiative_import"))
    assert response.status_code == 403
    assert not Initiative.objects.exists()
