"""How each initiatives record reads in lists, pages, exports and files (vpportal.core.fieldspec says
where a Column here shows up)."""

from vpportal.core.fieldspec import Codec, Column, FieldSpec, NaturalKey, Text, cell, columns, looked_up
from vpportal.people.specs import PERSON_KEY

from .models import (
    KPI,
    Initiative,
    KPIMeasurement,
    Mentorship,
    MentorshipSession,
    Milestone,
    Training,
    TrainingAttendance,
)

INITIATIVE_KEY = NaturalKey(
    Initiative, "key", "key", "No initiative with the key {}.", case="upper", cache_name="initiative"
)


class KPIByName(Codec):
    """A KPI in files: its initiative's key (empty for an organisation-wide KPI) and its name."""

    def columns(self, name):
        return ("initiative_key", "kpi_name")

    def required_columns(self, name):
        return ("kpi_name",)

    def read(self, row, name, errors, cache):
        initiative_key, kpi_name = cell(row, "initiative_key").upper(), cell(row, "kpi_name")
        if not kpi_name:
            errors["kpi_name"] = ["Required."]
            return None

        def find():
            kpis = KPI.objects.filter(name=kpi_name)
            if initiative_key:
                kpis = kpis.filter(initiative__key=initiative_key)
            else:
                kpis = kpis.filter(initiative__isnull=True)
            return kpis.order_by("pk").first()

        kpi = looked_up(cache, "kpi", (initiative_key, kpi_name), find)
        if kpi is None:
            errors["kpi_name"] = [f"No KPI “{kpi_name}” on {initiative_key or 'the organisation'}."]
        return kpi

    def write(self, kpi):
        return (kpi.initiative.key if kpi.initiative is not None else "", kpi.name)


INITIATIVE = FieldSpec(
    Initiative,
    Column("key", file=Text(case="upper")),
    Column("title"),
    Column("summary", export=False),
    Column("business_objective"),
    Column("value_hypothesis", export=False),
    *columns("stage", "health", "priority", detail=True),
    Column("owner", detail=True, file=PERSON_KEY.codec(required=True)),
    Column("executive_sponsor", detail=True, file=PERSON_KEY.codec()),
    *columns("partner_functions", "tags", "start_date", "target_date", "budget", "currency", "uses_ai", detail=True),
    Column("stage_changed_at", detail=True, export=False, file=False),
    Column("gate_override_justification", export=False, file=False),
    Column("gate_override_failed_checks", export=False, file=False),
    Column("external_system", detail=True),
    Column("external_id", detail=True),
    list=("key", "title", "stage", "health", "priority", "owner", "target_date"),
)

MILESTONE = FieldSpec(
    Milestone,
    Column("title"),
    Column("initiative", file=INITIATIVE_KEY.codec()),
    *columns("due_date", "done_date", "status"),
    list=("title", "initiative", "due_date", "done_date", "status"),
)

KPI_SPEC = FieldSpec(
    KPI,
    Column("initiative", detail=True, file=INITIATIVE_KEY.codec(), cell="initiatives/cells/kpi_initiative.html"),
    Column("name"),
    # Derived in the database by KPIQuerySet.with_status(): shown and exported, never imported.
    Column("status", cell="initiatives/cells/kpi_status.html"),
    Column("latest_value", cell="initiatives/cells/kpi_latest_value.html"),
    Column("latest_observed_at", "Last measured"),
    Column("description", detail=True, export=False),
    *columns("unit", "precision", "direction", detail=True),
    Column("baseline"),
    Column("target", cell="initiatives/cells/kpi_target.html"),
    Column("warning_threshold"),
    Column("cadence", detail=True),
    Column("owner", detail=True, file=PERSON_KEY.codec()),
    list=("name", "initiative", "status", "latest_value", "target", "cadence", "latest_observed_at"),
)

MEASUREMENT = FieldSpec(
    KPIMeasurement,
    Column("kpi", file=KPIByName()),
    *columns("observed_at", "value", "source", "note"),
)

# --- team development ------------------------------------------------------------------------------
MENTORSHIP = FieldSpec(
    Mentorship,
    Column("__str__", "Mentor → mentee", export=False, cell="initiatives/cells/mentorship_pair.html"),
    Column("mentor", detail=True, file=PERSON_KEY.codec(required=True)),
    Column("mentee", detail=True, file=PERSON_KEY.codec(required=True)),
    Column("focus_areas", detail=True),
    Column("goals", detail=True),
    Column("status", detail=True, cell="initiatives/cells/mentorship_status.html"),
    *columns("meeting_cadence", "start_date", "end_date", detail=True),
    # Annotated by MentorshipQuerySet.with_related().
    Column("session_count", "Sessions"),
    Column("last_session_on", "Last session"),
    list=("__str__", "focus_areas", "status", "meeting_cadence", "start_date", "session_count", "last_session_on"),
)

# The list and its export read sessions through `visible_to(user)`: notes the reader may not read
# are blank.
SESSION = FieldSpec(
    MentorshipSession,
    Column("mentorship", export=False, file=False),
    Column("held_on"),
    Column("mentorship.mentor", "Mentor"),
    Column("mentorship.mentee", "Mentee"),
    *columns("duration_minutes", "topics", "action_items", "private_notes"),
    list=("held_on", "mentorship", "duration_minutes", "topics"),
)

TRAINING = FieldSpec(
    Training,
    Column("title", cell="initiatives/cells/training_title.html"),
    *columns("topic", "audience", "held_on", "duration_minutes", detail=True),
    Column("facilitator", detail=True, file=PERSON_KEY.codec()),
    Column("materials_url", detail=True),
    Column("capacity", detail=True),
    Column("counts_as_ai_literacy", detail=True, cell="initiatives/cells/training_ai_literacy.html"),
    # Annotated by TrainingQuerySet.with_related().
    Column("attendee_count", "Seats taken", cell="initiatives/cells/training_seats.html"),
    list=("title", "topic", "held_on", "facilitator", "attendee_count", "counts_as_ai_literacy"),
)

ATTENDANCE = FieldSpec(
    TrainingAttendance,
    Column("training"),
    Column("person", file=PERSON_KEY.codec(required=True)),
    Column("status"),
)
