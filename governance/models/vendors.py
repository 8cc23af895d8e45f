"""Vendors: the third parties behind our AI systems (PRODUCT.md "Vendors")."""

import pycountry
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from evidence.registry import accepts_evidence
from vpportal.core.bounds import not_blank
from vpportal.core.fields import optional_link
from vpportal.core.models import Tracked

from ..choices import VendorKind, VendorStatus
from ..querysets import VendorQuerySet


def country_name(code: str) -> str:
    """The English short name of an ISO 3166-1 alpha-2 code (pycountry's maintained list)."""
    country = pycountry.countries.get(alpha_2=code)
    return getattr(country, "common_name", None) or country.name if country is not None else code


def validate_country_codes(value):
    """A list of ISO 3166-1 alpha-2 codes, upper case, from pycountry's list."""
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        raise ValidationError(_("Give the data locations as a list of country codes."), code="invalid")
    unknown = [code for code in value if pycountry.countries.get(alpha_2=code) is None or code != code.upper()]
    if unknown:
        raise ValidationError(
            _("Not an ISO 3166-1 alpha-2 country code: %(codes)s."),
            code="country",
            params={"codes": ", ".join(map(str, unknown[:10]))},
        )


@accepts_evidence("vendors")
class Vendor(Tracked):
    # The API's `<relation>_display` text of this record (vpportal/core/api_relations.py).
    DISPLAY_FIELDS = ("name",)
    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=VendorKind.choices, default=VendorKind.OTHER)
    website = models.URLField(_("website"), blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=VendorStatus.choices, default=VendorStatus.PROPOSED, db_index=True
    )
    dpa_signed = models.BooleanField(_("data processing agreement signed"), default=False)
    data_locations = models.JSONField(
        _("data locations"),
        default=list,
        blank=True,
        validators=[validate_country_codes],
        help_text=_("Countries where the vendor keeps or processes our data (ISO 3166-1 alpha-2 codes)."),
    )
    contract_end_date = models.DateField(_("contract end date"), null=True, blank=True, db_index=True)
    next_review_date = models.DateField(_("next review date"), null=True, blank=True, db_index=True)
    owner = optional_link("vpportal.Person", "vendors", _("owner"))
    notes = models.TextField(_("notes"), blank=True)

    objects = VendorQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [not_blank("name")]

    def __str__(self):
        return self.name

    @property
    def data_location_names(self) -> list[str]:
        return [f"{country_name(code)} ({code})" for code in self.data_locations or []]

    @property
    def data_locations_display(self) -> str:
        return ", ".join(self.data_location_names)
