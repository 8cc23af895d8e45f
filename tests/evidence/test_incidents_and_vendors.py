"""Incidents and vendors accept evidence by declaring it (evidence.registry): the API takes their
ids, their pages show the panel, and who reads the evidence follows the incident or vendor."""

import pytest
from django.urls import reverse

from evidence.models import EvidenceLink
from tests.conftest import api_client, page_client
from tests.factories.evidence import make_evidence
from tests.factories.incidents import IncidentFactory, VendorFactory

pytestmark = pytest.mark.django_db


def test_evidence_attaches_to_incidents_and_vendors(governance, evidence_files):
    incident, vendor = IncidentFactory(), VendorFactory()
    evidence = make_evidence(by=governance, incidents=[incident], vendors=[vendor], title="Post-mortem")
    assert set(EvidenceLink.objects.filter(evidence=evidence).values_list("object_id", flat=True)) == {
        incident.pk,
        vendor.pk,
    }
    body = api_client(governance).get(f"/api/v1/evidence/{evidence.pk}/").json()
    assert body["incidents"] == [incident.pk] and body["vendors"] == [vendor.pk]
    for record in (incident, vendor):
        page = page_client(governance).get(record.get_absolute_url())
        assert page.status_code == 200 and "Post-mortem" in page.content.decode()
    listed = api_client(governance).get("/api/v1/evidence/", {"attached_to": f"incidents:{incident.pk}"}).json()
    assert [row["id"] for row in listed["results"]] == [evidence.pk]


def test_an_auditor_reads_it_and_a_contributor_cannot_upload_to_a_vendor(auditor, contributor, evidence_files):
    vendor = VendorFactory()
    evidence = make_evidence(vendors=[vendor], title="DPA")
    assert api_client(auditor).get(f"/api/v1/evidence/{evidence.pk}/").status_code == 200
    page = page_client(contributor).post(
        reverse("evidence:evidence_add"), {"title": "x", "kind": "contract", "vendors": [vendor.pk]}
    )
    assert page.status_code in (200, 403)
    assert EvidenceLink.objects.filter(object_id=vendor.pk).count() == 1
