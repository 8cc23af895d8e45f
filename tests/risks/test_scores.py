"""Scores and levels are derived in Python and in the database alike, at every band boundary; the
residual values default to the inherent ones and can never be worse."""

import pytest
from django.core.exceptions import ValidationError

from governance.choices import level_for
from governance.models import Risk
from governance.services.risks import risk_create, risk_update
from tests.factories.risks import AISystemFactory, RiskFactory

pytestmark = pytest.mark.django_db

# (likelihood, impact, score, level): both sides of every band boundary (4/5, 9/10, 16/20).
BOUNDARIES = [
    (1, 1, 1, "low"),
    (2, 2, 4, "low"),
    (1, 5, 5, "medium"),
    (3, 3, 9, "medium"),
    (2, 5, 10, "high"),
    (4, 4, 16, "high"),
    (4, 5, 20, "critical"),
    (5, 5, 25, "critical"),
]


@pytest.mark.parametrize(("likelihood", "impact", "score", "level"), BOUNDARIES)
def test_score_and_level_at_each_band_boundary_in_python_and_in_the_database(likelihood, impact, score, level):
    risk = RiskFactory(likelihood=likelihood, impact=impact)
    assert (risk.inherent_score, risk.inherent_level) == (score, level)
    assert level_for(score) == level
    row = Risk.objects.with_scores().get(pk=risk.pk)
    assert (row.inherent_score, row.inherent_level) == (score, level)
    assert (row.residual_score, row.residual_level) == (score, level)
    assert list(Risk.objects.with_related().filter(inherent_level=level)) == [row]


def test_residual_values_default_to_the_inherent_ones():
    risk = RiskFactory(likelihood=4, impact=5, residual_likelihood=None, residual_impact=None)
    row = Risk.objects.with_scores().get(pk=risk.pk)
    assert (row.effective_residual_likelihood, row.effective_residual_impact) == (4, 5)
    assert (risk.residual_score, row.residual_score, row.residual_level) == (20, 20, "critical")


def test_a_residual_value_given_alone_combines_with_the_other_inherent_value():
    risk = RiskFactory(likelihood=4, impact=5, residual_likelihood=2, residual_impact=None)
    row = Risk.objects.with_scores().get(pk=risk.pk)
    assert (risk.residual_score, row.residual_score, row.residual_level) == (10, 10, "high")
    assert row.inherent_level == "critical"


def test_lists_sort_by_derived_scores_in_the_database():
    low = RiskFactory(likelihood=1, impact=2)
    high = RiskFactory(likelihood=5, impact=5, residual_likelihood=1, residual_impact=1)
    mid = RiskFactory(likelihood=3, impact=3)
    assert list(Risk.objects.with_scores().order_by("-inherent_score")) == [high, mid, low]
    assert list(Risk.objects.with_scores().order_by("-residual_score", "pk")) == [mid, low, high]


def test_residual_values_cannot_exceed_the_inherent_ones(executive):
    system = AISystemFactory()
    with pytest.raises(ValidationError) as error:
        risk_create(
            by=executive,
            data={
                "title": "Worse after mitigation",
                "category": "privacy",
                "ai_system": system,
                "likelihood": 2,
                "impact": 3,
                "residual_likelihood": 3,
                "residual_impact": 4,
            },
        )
    assert set(error.value.message_dict) == {"residual_likelihood", "residual_impact"}
    assert not Risk.objects.filter(title="Worse after mitigation").exists()


def test_lowering_the_inherent_value_below_a_residual_one_is_refused(leader):
    risk = RiskFactory(likelihood=4, impact=4, residual_likelihood=3)
    with pytest.raises(ValidationError) as error:
        risk_update(risk, by=leader, data={"likelihood": 2})
    assert "residual_likelihood" in error.value.message_dict
    risk.refresh_from_db()
    assert risk.likelihood == 4


def test_likelihood_and_impact_stay_between_one_and_five(leader):
    system = AISystemFactory()
    with pytest.raises(ValidationError) as error:
        risk_create(
            by=leader,
            data={"title": "Out of range", "category": "other", "ai_system": system, "likelihood": 6, "impact": 0},
        )
    assert {"likelihood", "impact"} <= set(error.value.message_dict)


def test_a_risk_concerns_a_system_or_an_initiative(leader):
    with pytest.raises(ValidationError):
        risk_create(by=leader, data={"title": "Floating", "category": "other", "likelihood": 2, "impact": 2})


def test_keys_follow_the_primary_key_and_show_in_the_creation_history(leader):
    system = AISystemFactory()
    data = {"title": "Keyed", "category": "other", "ai_system": system, "likelihood": 2, "impact": 2}
    first = risk_create(by=leader, data=data)
    second = risk_create(by=leader, data=data | {"title": "Keyed 2"})
    assert first.key == f"RSK-{first.pk:04d}" and second.key == f"RSK-{second.pk:04d}"
    assert first.key != second.key
    created = first.history.get(history_type="+")
    assert (created.key, created.history_user) == (first.key, leader)


@pytest.mark.parametrize(("likelihood", "impact", "score", "level"), BOUNDARIES)
def test_the_forms_score_table_is_the_registers_score_and_level(likelihood, impact, score, level):
    from governance.services.risks import score_table

    entry = score_table()[f"{likelihood}x{impact}"]
    assert (entry["score"], entry["level"]) == (score, level)
    assert entry["label"] == level.capitalize()


def test_the_risk_form_names_the_factors_and_shows_the_scores_it_holds(leader):
    from django.urls import reverse

    from tests.conftest import page_client

    risk = RiskFactory(likelihood=4, impact=3, residual_likelihood=2, residual_impact=None)
    response = page_client(leader).get(reverse("governance:risk_edit", args=[risk.pk]))
    html = response.content.decode()
    assert '<option value="1">1 Rare</option>' in html
    assert '<option value="5">5 Almost certain</option>' in html
    assert '<option value="5">5 Severe</option>' in html
    assert "---" not in html.split('id="id_residual_impact"')[1].split("</select>")[0]
    inherent, residual = html.split('id="score-inherent"')[1], html.split('id="score-residual"')[1]
    assert "12 <span" in inherent.split("</output>")[0] and "High" in inherent.split("</output>")[0]
    # Residual: likelihood 2 as entered, impact taken from the inherent 3 (the register's default).
    assert "6 <span" in residual.split("</output>")[0] and "Medium" in residual.split("</output>")[0]
    assert 'data-likelihood="[&quot;id_residual_likelihood&quot;, &quot;id_likelihood&quot;]"' in html
