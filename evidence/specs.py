"""How evidence reads in lists, pages and exports (vpportal.core.fieldspec). Evidence is uploaded,
not imported from spreadsheets: its columns are exported, never read from a file."""

from vpportal.core.fieldspec import Column, FieldSpec, columns

from .models import Evidence

EVIDENCE = FieldSpec(
    Evidence,
    Column("title", file=False),
    Column("kind", detail=True, file=False),
    Column("description", export=False, file=False),
    Column("valid_until", detail=True, file=False),
    Column("is_current", label="Current", detail=True, file=False),
    *columns("original_name", "content_type", "size", "sha256", "uploaded_by", "uploaded_at", detail=True, file=False),
    list=("title", "kind", "original_name", "uploaded_by", "uploaded_at", "valid_until", "is_current"),
)
