"""How each governance record reads in lists, pages, exports and files (vpportal.core.fieldspec says
where a Column here shows up)."""

from initiatives.specs import INITIATIVE_KEY
from vpportal.core.fieldspec import Codec, Column, FieldSpec, NaturalKey, Text, cell, columns
from vpportal.people.specs import PERSON_KEY

from .models import (
    Acknowledgement,
    AISystem,
    Framework,
    Incident,
    Mitigation,
    Policy,
    PolicyVersion,
    Requirement,
    Risk,
    Vendor,
)

AI_SYSTEM_KEY = NaturalKey(AISystem, "name", "name", "No AI system named “{}”.", cache_name="ai_system")
VENDOR_KEY = NaturalKey(Vendor, "name", "name", "No vendor named “{}”.", cache_name="vendor")


class UpperList(Codec):
    """Codes in a file cell, comma-separated, read in upper case (country codes)."""

    def read(self, row, name, errors, cache):
        return [v.strip().upper() for v in cell(row, name).split(",") if v.strip()]

    def write(self, value):
        return (",".join(value or []),)


class ManyByKey(Codec):
    """Several related records in one cell, named by their natural key and separated by “;” (names
    may hold commas)."""

    def __init__(self, key: NaturalKey, column: str):
        self.key, self.column = key, column

    def columns(self, name):
        return (self.column,)

    def read(self, row, name, errors, cache):
        values = [self.key.normalise(v.strip()) for v in cell(row, self.column).split(";") if v.strip()]
        found = []
        for value in values:
            record = self.key.find(value, cache)
            if record is None:
                errors.setdefault(self.column, []).append(self.key.missing.format(value))
            else:
                found.append(record)
        return found

    def write(self, value):
        return ("; ".join(getattr(obj, self.key.field) for obj in value.all()) if value is not None else "",)


VENDOR = FieldSpec(
    Vendor,
    Column("name"),
    *columns("kind", "status", "website", "contact_email", "dpa_signed", detail=True),
    Column("data_locations", file=UpperList()),
    Column("data_locations_display", "Data locations (countries)", detail=True, file=False),
    Column("contract_end_date", detail=True),
    Column("next_review_date", detail=True),
    Column("owner", detail=True, file=PERSON_KEY.codec()),
    Column("notes", export=False),
    list=(
        "name",
        "kind",
        "status",
        "dpa_signed",
        "data_locations_display",
        "contract_end_date",
        "next_review_date",
        "owner",
    ),
)

AI_SYSTEM = FieldSpec(
    AISystem,
    Column("name"),
    Column("purpose"),
    Column("initiative", file=INITIATIVE_KEY.codec()),
    Column("owner", file=PERSON_KEY.codec()),
    Column("kind"),
    Column("provider"),
    Column("vendor", file=VENDOR_KEY.codec()),
    *columns("lifecycle_status", "eu_ai_act_tier", "processes_personal_data", "data_categories"),
    *columns("intended_use", "out_of_scope_uses", "known_limitations", "evaluation_summary", export=False),
    Column("external_system", detail=True),
    Column("external_id", detail=True),
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
    Column("vendor", detail=True, file=VENDOR_KEY.codec()),
    Column("requirement", detail=True, file=False),  # a library entry or requirement (ids are no file key)
    *columns("likelihood", "impact", "inherent_score", "inherent_level"),
    *columns("residual_likelihood", "residual_impact", "residual_score", "residual_level"),
    Column("status", detail=True),
    Column("next_review_date", detail=True),
    Column("accepted_by", file=False),
    Column("accepted_at", file=False),
    Column("acceptance_justification"),
    Column("external_system", detail=True),
    Column("external_id", detail=True),
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
    *columns("due_date", "status", "requirements"),
    Column("external_system", detail=True),
    Column("external_id", detail=True),
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
    *columns("status", "author", "change_summary"),
    *columns("body", "effective_date", "approved_by", export=False),
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
    *columns("framework", "code", "title", "text", "level", "parent", "position"),
    Column("suggested_category"),  # risk-library entries: the category of a risk registered from one
)


# The report deadline reads IncidentQuerySet.with_deadline()'s annotation: shown and exported, never
# imported; the report itself is recorded by its action (incident_report), not by a file or a form.
INCIDENT = FieldSpec(
    Incident,
    Column("key", file=Text(case="upper")),
    Column("title"),
    Column("description", export=False),
    Column("severity", detail=True, cell="governance/cells/incident_severity.html"),
    Column("status", detail=True),
    Column("category", detail=True),
    Column("ai_systems", detail=True, file=ManyByKey(AI_SYSTEM_KEY, "ai_system_names")),
    Column("initiative", detail=True, file=INITIATIVE_KEY.codec()),
    Column("owner", detail=True, file=PERSON_KEY.codec()),
    *columns("occurred_at", "detected_at", "serious", "serious_kind", detail=True),
    Column("report_due", "Report due", detail=True, cell="governance/cells/incident_report_due.html"),
    Column("reported_to_authority_at", detail=True, file=False),
    Column("authority_reference", detail=True, file=False),
    Column("root_cause", export=False),
    Column("lessons_learned", export=False),
    Column("risks", export=False, file=False),
    Column("mitigations", export=False, file=False),
    Column("external_system", detail=True),
    Column("external_id", detail=True),
    list=(
        "key",
        "title",
        "severity",
        "status",
        "initiative",
        "owner",
        "detected_at",
        "serious",
        "report_due",
    ),
)
