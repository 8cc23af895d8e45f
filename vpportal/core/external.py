"""External references: the id a record has in another tool (a ticketing system, an ML platform),
so that tool can find and update "its" record without keeping our ids.

A model that others mirror inherits `ExternalReference` (two fields, `external_system` and
`external_id`, both empty or both set) and lists `external_reference_constraints()` in its Meta:
a reference is unique per model when set (a conditional unique constraint; unset references are
many). Pages, admin and the importer get the fields from the model's field spec; the API filters
on them and upserts by them (`PUT <resource>/external/{system}/{id}/`, vpportal/core/api.py).
"""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

CODE_TAKEN = "external_reference_taken"
CODE_INCOMPLETE = "external_reference_incomplete"
MSG_TAKEN = _("Another record of this kind already has this external reference (external system and id).")
MSG_INCOMPLETE = _("Give both the external system and the external id, or neither.")

# What a path segment can carry without escaping trouble: the upsert URL names both.
SYSTEM_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._-]*"
ID_PATTERN = r"[^\s/]+"


class ExternalReference(models.Model):
    """Abstract: the record's reference in another tool (see the module docstring)."""

    external_system = models.CharField(
        _("external system"),
        max_length=40,
        blank=True,
        default="",
        validators=[
            RegexValidator(
                rf"^{SYSTEM_PATTERN}\Z", _("Letters, digits, “.”, “-” and “_” only, e.g. jira or servicenow.")
            )
        ],
        help_text=_("The tool this record mirrors, e.g. jira; set together with the external id."),
    )
    external_id = models.CharField(
        _("external id"),
        max_length=120,
        blank=True,
        default="",
        validators=[RegexValidator(rf"^{ID_PATTERN}\Z", _("No spaces or “/” in an external id."))],
        help_text=_("The record's id in that tool, e.g. GOV-142; unique per external system."),
    )

    class Meta:
        abstract = True

    def validate_constraints(self, exclude=None):
        """The reference's constraint errors name the field to fix (`external_id`), not the record."""
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict({})
            general = errors.pop(NON_FIELD_ERRORS, [])
            for message in general:
                key = "external_id" if message.code in (CODE_TAKEN, CODE_INCOMPLETE) else NON_FIELD_ERRORS
                errors.setdefault(key, []).append(message)
            raise ValidationError(errors) from None


def external_reference_constraints() -> list[models.BaseConstraint]:
    """The Meta constraints of a model with an `ExternalReference`."""
    return [
        models.UniqueConstraint(
            fields=["external_system", "external_id"],
            condition=~Q(external_id=""),
            name="%(app_label)s_%(class)s_external_reference_unique",
            violation_error_code=CODE_TAKEN,
            violation_error_message=MSG_TAKEN,
        ),
        models.CheckConstraint(
            condition=Q(external_system="", external_id="") | (~Q(external_system="") & ~Q(external_id="")),
            name="%(app_label)s_%(class)s_external_reference_complete",
            violation_error_code=CODE_INCOMPLETE,
            violation_error_message=MSG_INCOMPLETE,
        ),
    ]
