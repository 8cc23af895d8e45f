"""Approving a model version in the browser: governance opens a pending version brought in from a
real MLflow server, approves it, and sees the registry's confirmation once the write-back ran."""

import pytest
from playwright.sync_api import expect

from governance.models import AISystem
from governance.services.risks import aisystem_update
from integrations.models import AISystemVersion
from integrations.registry import sync_source, write_back
from tests.browser.conftest import ARTIFACTS, sign_in
from tests.factories.people import PASSWORD
from tests.registry.fixtures import register

pytestmark = pytest.mark.django_db(transaction=True)


def test_governance_approves_a_pending_version_and_sees_the_registry_confirm_it(
    page, source, mlflow, executive, governance
):
    register(mlflow, "claims-triage", 1, run=False)
    sync_source(source)
    aisystem_update(AISystem.objects.get(name="claims-triage"), by=executive, data={"eu_ai_act_tier": "limited"})
    version = AISystemVersion.objects.get()

    sign_in(page, "governance-user", PASSWORD)
    page.goto(version.get_absolute_url())
    expect(page.locator("h1")).to_contain_text("claims-triage v1")
    page.get_by_role("button", name="Approve").click()
    expect(page.locator("#registry-status")).to_contain_text("being written to the registry")

    assert write_back(version.pk)  # the worker's job (integrations.tasks.writeback_task)
    page.reload()
    expect(page.locator("#registry-status")).to_contain_text("The registry has the decision")
    page.screenshot(path=str(ARTIFACTS / "model-version-approved.png"), full_page=True)
    assert mlflow.get_model_version("claims-triage", "1").tags["vpportal.approval"] == "approved"
