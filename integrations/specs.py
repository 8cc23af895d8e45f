"""How webhook subscriptions, model sources and model versions read in lists, pages and exports (vpportal.core.fieldspec); the
form takes its fields from here too. Subscriptions are not imported from files."""

from vpportal.core.fieldspec import Column, FieldSpec, columns

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
    *columns("name", "tracking_uri", "token_env", "active", "last_synced_at", detail=True, file=False),
    Column("last_sync_result", export=False, file=False),
    list=("name", "tracking_uri", "active", "last_synced_at"),
)

AI_SYSTEM_VERSION = FieldSpec(
    AISystemVersion,
    Column("ai_system", detail=True, file=False),
    Column("registered_model.name", label="Registered model", file=False),
    *columns("model_version", "aliases", "stage", "run_id", "source", "registered_at", detail=True, file=False),
    Column("metrics", file=False),
    *columns("approval", "approved_by", "approved_at", "decision_comment", detail=True, file=False),
    *columns("registry_confirmed", "in_registry", detail=True, file=False),
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
