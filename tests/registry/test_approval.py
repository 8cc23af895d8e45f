"""Approving and rejecting model versions: who may, the gate's system checks, and the decision
written back to the real MLflow server as model-version tags (read back with MLflow's client)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from governance.models import AISystem
from governance.services.risks import aisystem_update
from integrations.models import AISystemVersion, Approval
from integrations.registry import sync_source, version_decide, write_back
from integrations.tasks import writeback_task
from tests.registry.fixtures import register
from vpportal.core.services import TransitionError


@pytest.fixture
def pending(source, mlflow, executive):
    register(mlflow, "credit-score", 1, run=False)
    sync_source(source)
    system = AISystem.objects.get(name="credit-score")
    aisystem_update(system, by=executive, data={"eu_ai_act_tier": "high"})
    return AISystemVersion.objects.get()


def tags(mlflow, name="credit-score", version="1"):
    return {k: v for k, v in mlflow.get_model_version(name, version).tags.items() if k.startswith("vpportal.")}


def test_an_approval_is_written_back_as_tags(pending, mlflow, governance, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        version_decide(pending, by=governance, decision=Approval.APPROVED)
    # The write-back is queued once the decision is committed (beside the events' announcement).
    assert [c for c in queued if "version_decide" in getattr(c, "__qualname__", "")]
    pending.refresh_from_db()
    assert pending.approval == Approval.APPROVED and not pending.registry_confirmed

    assert write_back(pending.pk) is True

    pending.refresh_from_db()
    assert pending.registry_confirmed
    written = tags(mlflow)
    assert written["vpportal.approval"] == "approved"
    assert written["vpportal.approved_by"] == "governance-user@example.com"
    assert written["vpportal.url"].endswith(f"/ai-system-versions/{pending.pk}/")


def test_a_rejection_needs_a_comment_and_is_written_back(pending, mlflow, executive):
    with pytest.raises(ValidationError):
        version_decide(pending, by=executive, decision=Approval.REJECTED, comment="  ")
    version_decide(pending, by=executive, decision=Approval.REJECTED, comment="Bias not evaluated")
    write_back(pending.pk)
    assert tags(mlflow)["vpportal.approval"] == "rejected"


def test_only_those_who_accept_risks_decide(pending, leader, contributor):
    for user in (leader, contributor):
        with pytest.raises(PermissionDenied):
            version_decide(pending, by=user, decision=Approval.APPROVED)


def test_approval_needs_the_system_to_pass_the_gate_checks(pending, executive, governance):
    from governance.models import Risk

    aisystem_update(pending.ai_system, by=executive, data={"eu_ai_act_tier": "unassessed"})
    with pytest.raises(TransitionError) as refused:
        version_decide(pending, by=governance, decision=Approval.APPROVED)
    assert "not been assessed" in refused.value.details[0]

    aisystem_update(pending.ai_system, by=executive, data={"eu_ai_act_tier": "limited"})
    Risk.objects.create(
        key="RSK-9",
        title="Leaks data",
        ai_system=pending.ai_system,
        likelihood=5,
        impact=5,
        residual_likelihood=5,
        residual_impact=5,
    )
    with pytest.raises(TransitionError) as refused:
        version_decide(pending, by=governance, decision=Approval.APPROVED)
    assert "RSK-9" in refused.value.details[0]
    pending.refresh_from_db()
    assert pending.approval == Approval.PENDING


def test_the_write_back_is_retried_until_the_registry_has_it(pending, mlflow, gate, governance, settings):
    version_decide(pending, by=governance, decision=Approval.APPROVED)
    gate.down = True

    assert write_back(pending.pk) is False
    pending.refresh_from_db()
    assert not pending.registry_confirmed and "could not be reached" in pending.writeback_error
    # The task asks Celery to try again later (a countdown), rather than giving up.
    from celery.exceptions import Retry

    with pytest.raises(Retry):
        writeback_task.apply(args=[pending.pk], throw=True)

    gate.down = False
    assert writeback_task.apply(args=[pending.pk], throw=True).get() is True
    pending.refresh_from_db()
    assert pending.registry_confirmed and pending.writeback_error == ""
    assert tags(mlflow)["vpportal.approval"] == "approved"


def test_a_decision_cannot_be_made_twice(pending, governance):
    version_decide(pending, by=governance, decision=Approval.APPROVED)
    with pytest.raises(TransitionError):
        version_decide(pending, by=governance, decision=Approval.APPROVED)


def test_approval_needs_the_systems_vendor_approved(pending, executive, governance):
    from tests.factories.incidents import VendorFactory

    vendor = VendorFactory(status="restricted", name="Acme Models")
    aisystem_update(pending.ai_system, by=executive, data={"vendor": vendor})
    with pytest.raises(TransitionError) as refused:
        version_decide(pending, by=governance, decision=Approval.APPROVED)
    assert refused.value.details == [
        f"AI system “{pending.ai_system.name}” comes from vendor “Acme Models”, which is restricted, not approved."
    ]
    vendor.status = "approved"
    vendor.save()
    version_decide(pending, by=governance, decision=Approval.APPROVED)
    pending.refresh_from_db()
    assert pending.approval == Approval.APPROVED
