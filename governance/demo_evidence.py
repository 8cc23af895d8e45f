"""Demo evidence (`make run`): small generated PDFs and PNGs attached to the demo's AI systems,
risks, policy versions and requirements, through the evidence services (so the files go through
the same type checks and storage as an upload). One DPIA has expired and one expires within the
month, so the due queue and the framework's evidenced figure have something to show."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from evidence.generated import pdf, png_bars
from evidence.services.evidence import evidence_create
from governance.models import AISystem, PolicyVersion, Requirement, Risk


def _upload(name, data):
    return SimpleUploadedFile(name, data)


def create(ctx):
    users = ctx["users"]
    governance, leader = users["governance"], users["director"]
    today = timezone.localdate()
    systems = list(AISystem.objects.order_by("pk")[:3])
    risks = list(Risk.objects.order_by("pk")[:3])
    versions = list(PolicyVersion.objects.filter(status="approved").order_by("pk")[:2])
    requirements = list(Requirement.objects.leaves().order_by("pk")[:4])
    for index, system in enumerate(systems):
        evidence_create(
            by=leader,
            data={
                "title": f"Model card: {system.name}",
                "kind": "model_card",
                "description": "Intended use, limitations and evaluation, as signed off by the model owner.",
                "ai_systems": [system],
                "requirements": requirements[index : index + 1],
            },
            upload=_upload(
                f"model-card-{system.pk}.pdf",
                pdf(
                    f"Model card: {system.name}", [system.purpose[:90], "Owner sign-off: yes", f"Revision {index + 1}"]
                ),
            ),
        )
        evidence_create(
            by=leader,
            data={
                "title": f"Validation metrics: {system.name}",
                "kind": "validation_report",
                "ai_systems": [system],
                "valid_until": today + timedelta(days=180),
            },
            upload=_upload(f"validation-{system.pk}.png", png_bars([0.81, 0.77, 0.84, 0.79][index:] + [0.7])),
        )
    for index, risk in enumerate(risks):
        evidence_create(
            by=governance,
            data={
                "title": f"Bias audit for {risk.key}",
                "kind": "bias_audit",
                "description": "Demographic parity and equalised-odds gaps across protected groups.",
                "risks": [risk],
                "requirements": requirements[3:4],
                # One expired, one expiring within the month, one current.
                "valid_until": today + timedelta(days=(-10, 20, 300)[index]),
            },
            upload=_upload(
                f"bias-audit-{risk.key}.pdf",
                pdf(f"Bias audit {risk.key}", [risk.title[:90], "Parity gap: 3.1 pts", "Reviewer: governance"]),
            ),
        )
    for version in versions:
        evidence_create(
            by=governance,
            data={"title": f"Signed policy: {version}", "kind": "policy_document", "policy_versions": [version]},
            upload=_upload(f"policy-{version.pk}.pdf", pdf(str(version), ["Approved and signed.", "Board minute 14"])),
        )
