"""How webhook subscriptions, model sources and model versions read in lists, pages and exports (vpportal.core.fieldspec); the
form takes its fields from here too. Subscriptions are not imported from files."""

from vpportal.core.fieldspec import Column, FieldSpec

from .models import AISystemVersion, ModelSource, Webhook

WEBHOOK = FieldSpec(
    Webhook,
    Column("url", "URL", detail=True, file=False),
    Column("event_types", detail=True, file=False),
    Column("active", detail=True, file=False),
    Column("disabled_reason", detail=True, export=False, file=False),
    Column("description", detail=True, file=False),
    Column("owner", detail=True, file=False),
    list=("url", "event_types", "active", "description", "owner"),
)

MODEL_SOURCE = FieldSpec(
    ModelSource,
    Column("name", detail=True, file=False),
    Column("tracking_uri", detail=True, file=False),
    Column("token_env", detail=True, file=False),
    Column("active", detail=True, file=False),
    Column("last_synced_at", detail=True, file=False),
    Column("last_sync_result", export=False, file=False),
    list=("name", "tracking_uri", "active", "last_synced_at"),
)

AI_SYSTEM_VERSION = FieldSpec(
    AISystemVersion,
    Column("ai_system", detail=True, file=False),
    Column("registered_model.name", label="Registered model", file=False),
    Column("model_version", detail=True, file=False),
    Column("aliases", detail=True, file=False),
    Column("stage", detail=True, file=False),
    Column("run_id", detail=True, file=False),
    Column("source", detail=True, file=False),
    Column("registered_at", detail=True, file=False),
    Column("metrics", file=False),
    Column("approval", detail=True, file=False),
    Column("approved_by", detail=True, file=False),
    Column("approved_at", detail=True, file=False),
    Column("decision_comment", detail=True, file=False),
    Column("registry_confirmed", detail=True, file=False),
    Column("in_registry", detail=True, file=False),
    list=(
        "ai_system",
        "registered_model.name",
        "model_version",
        "aliases",
        "stage",
        "registered_at",
        "approval",
        "registry_confirmed",
    ),
)
