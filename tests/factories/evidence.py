"""Evidence for tests: made through the upload service (the file goes through the type checks and
the evidence storage, which tests point at a temporary folder)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from evidence.generated import pdf, png_bars
from evidence.models import EvidencePackJob
from evidence.services.evidence import evidence_create
from tests.factories.base import DoneJobFactory
from tests.factories.people import UserFactory
from tests.factories.risks import AISystemFactory, RiskFactory


def make_evidence(*, by=None, name="report.pdf", data=None, **data_fields):
    by = by or UserFactory(roles=["executive"])
    fields = {"title": "Validation report", "kind": "validation_report", **data_fields}
    if not any(
        key in fields
        for key in ("risks", "ai_systems", "mitigations", "policy_versions", "requirements", "incidents", "vendors")
    ):
        fields["risks"] = [RiskFactory()]
    return evidence_create(by=by, data=fields, upload=SimpleUploadedFile(name, data or pdf("Report", ["ok"])))


def seed_api_data():
    by = UserFactory(roles=["executive"])
    system = AISystemFactory(name="Seeded evidence system")
    make_evidence(by=by, ai_systems=[system], title="Seeded model card", kind="model_card")
    make_evidence(by=by, name="chart.png", data=png_bars([0.5, 0.9]), risks=[RiskFactory(ai_system=system)])


class EvidencePackJobFactory(DoneJobFactory):
    """A finished background pack of someone (its ZIP need not exist: only its asker may reach it)."""

    class Meta:
        model = EvidencePackJob

    name = "evidence-pack-all"
    stored_name = "evidence-packs/0.zip"
    size = 22
