"""How a webhook subscription reads in lists, pages and exports (vpportal.core.fieldspec); the
form takes its fields from here too. Subscriptions are not imported from files."""

from vpportal.core.fieldspec import Column, FieldSpec

from .models import Webhook

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
