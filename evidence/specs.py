"""How evidence reads in lists, pages and exports (vpportal.core.fieldspec). Evidence is uploaded,
not imported from spreadsheets: its columns are exported, never read from a file."""

from vpportal.core.fieldspec import Column, FieldSpec

from .models import Evidence

EVIDENCE = FieldSpec(
    Evidence,
    Column("title", file=False),
    Column("kind", detail=True, file=False),
    Column("description", export=False, file=False),
    Column("valid_until", detail=True, file=False),
    Column("is_current", label="Current", detail=True, file=False),
    Column("original_name", detail=True, file=False),
    Column("content_type", detail=True, file=False),
    Column("size", detail=True, file=False),
    Column("sha256", detail=True, file=False),
    Column("uploaded_by", detail=True, file=False),
    Column("uploaded_at", detail=True, file=False),
    list=("title", "kind", "original_name", "uploaded_by", "uploaded_at", "valid_until", "is_current"),
)
