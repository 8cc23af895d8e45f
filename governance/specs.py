"""How each governance record reads in lists, pages, exports and files (vpportal.core.fieldspec).

Adding a field to a model and a Column here puts it in the export, the import file and (with
`detail=True` or a place in `list`) on the pages; forms and serializers take their field lists from
these specs.
"""

from initiatives.specs import INITIATIVE_KEY
from vpportal.core.fieldspec import Column, FieldSpec, NaturalKey, Text
from vpportal.people.specs import PERSON_KEY

from .models import Acknowledgement, AISystem, Framework, Mitigation, Policy, PolicyVersion, Requirement, Risk

AI_SYSTEM_KEY = NaturalKey(AISystem, "name", "name", "No AI system named “{}”.", cache_name="ai_system")

AI_SYSTEM = FieldSpec(
    AISystem,
    Column("name"),
    Column("purpose"),
    Column("initiative", file=INITIATIVE_KEY.codec()),
    Column("owner", file=PERSON_KEY.codec()),
    Column("kind"),
    Column("provider"),
    Column("lifecycle_status"),
    Column("eu_ai_act_tier"),
    Column("processes_personal_data"),
    Column("data_categories"),
    Column("intended_use", export=False),
    Column("out_of_scope_uses", export=False),
    Column("known_limitations", export=False),
    Column("evaluation_summary", export=False),
    list=(
        "name",
        "kind",
        "provider",
        "initiative",
        "owner",
        "lifecycle_status",
        "eu_ai_act_tier",
        "processes_personal_data",
    ),
)

# Scores and levels are RiskQuerySet.with_scores()'s annotations: shown and exported, never imported.
RISK = FieldSpec(
    Risk,
    Column("key", file=Text(case="upper")),
    Column("title"),
    Column("description", export=False),
    Column("category", detail=True),
    Column("ai_system", detail=True, file=AI_SYSTEM_KEY.codec()),
    Column("initiative", detail=True, file=INITIATIVE_KEY.codec()),
    Column("owner", detail=True, file=PERSON_KEY.codec()),
    Column("likelihood"),
    Column("impact"),
    Column("inherent_score"),
    Column("inherent_level"),
    Column("residual_likelihood"),
    Column("residual_impact"),
    Column("residual_score"),
    Column("residual_level"),
    Column("status", detail=True),
    Column("next_review_date", detail=True),
    Column("accepted_by", file=False),
    Column("accepted_at", file=False),
    Column("acceptance_justification"),
    list=(
        "key",
        "title",
        "category",
        "ai_system",
        "initiative",
        "inherent_score",
        "residual_score",
        "residual_level",
        "status",
        "owner",
        "next_review_date",
    ),
)

MITIGATION = FieldSpec(
    Mitigation,
    Column("risk"),
    Column("description"),
    Column("owner", file=PERSON_KEY.codec()),
    Column("due_date"),
    Column("status"),
    Column("requirements"),
    list=("description", "risk", "owner", "due_date", "status", "requirements"),
)

# --- policies, acknowledgements and the framework catalogue --------------------------------------
# The version in force, the newest version's status and the acknowledgement rate read
# PolicyQuerySet.with_current_version()'s annotations.
POLICY = FieldSpec(
    Policy,
    Column("code"),
    Column("title"),
    Column("category", detail=True),
    Column("owner", detail=True, file=PERSON_KEY.codec()),
    Column("review_interval_months", detail=True),
    Column("current_version_label", "In force"),
    Column("latest_status_label", "Newest version"),
    Column("next_review_date", detail=True),
    Column("acknowledgement_rate", "Acknowledged (%)"),
    Column("requirements", export=False),
    list=(
        "code",
        "title",
        "category",
        "owner",
        "current_version_label",
        "latest_status_label",
        "next_review_date",
        "acknowledgement_rate",
    ),
)

POLICY_VERSION = FieldSpec(
    PolicyVersion,
    Column("__str__", "Version"),
    Column("policy", export=False),
    Column("policy.title", "Policy"),
    Column("number", export=False),
    Column("status"),
    Column("author"),
    Column("change_summary"),
    Column("body", export=False),
    Column("effective_date", export=False),
    Column("approved_by", export=False),
    Column("approved_at"),
    Column("review_comment", export=False),
    Column("updated_at"),
    list=("__str__", "policy.title", "status", "author", "change_summary", "approved_at", "updated_at"),
)

ACKNOWLEDGEMENT = FieldSpec(
    Acknowledgement,
    Column("person", file=PERSON_KEY.codec(required=True)),
    Column("policy_version"),
    Column("acknowledged_at"),
)

# Counts and coverage read FrameworkQuerySet.with_coverage()'s annotations.
FRAMEWORK = FieldSpec(
    Framework,
    Column("code"),
    Column("title"),
    Column("description", export=False),
    Column("source_url", export=False),
    Column("is_builtin"),
    Column("requirement_count", "Requirements (leaves, not groupings)"),
    Column("coverage_percent", "Coverage (%)"),
    list=("title", "code", "is_builtin", "requirement_count", "coverage_percent"),
)

REQUIREMENT = FieldSpec(
    Requirement,
    Column("framework"),
    Column("code"),
    Column("title"),
    Column("text"),
    Column("level"),
    Column("parent"),
    Column("position"),
)
