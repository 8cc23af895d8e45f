from django.db import models
from django.utils.translation import gettext_lazy as _

from evidence.registry import accepts_evidence
from vpportal.core.bounds import not_blank
from vpportal.core.fields import optional_link
from vpportal.core.models import Tracked
from vpportal.core.record_urls import record_url

from ..choices import RequirementLevel, RiskCategory
from ..querysets import FrameworkQuerySet, RequirementQuerySet, share_percent


class Framework(Tracked):
    """A catalogue of requirements: NIST AI RMF 1.0, the EU AI Act, or an internal standard."""

    # The API's `<relation>_display` text of this record (vpportal/core/api_relations.py).
    DISPLAY_FIELDS = ("code", "title")

    code = models.CharField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    source_url = models.URLField(_("source"), blank=True)
    is_builtin = models.BooleanField(_("shipped with VP Portal"), default=False, editable=False)

    objects = FrameworkQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        constraints = [not_blank("code"), not_blank("title")]

    def __str__(self):
        return self.title

    @property
    def requirement_count(self) -> int:
        """The framework's requirements as coverage counts them: leaves only (NIST subcategories,
        EU AI Act articles), never their groupings. Reads FrameworkQuerySet.with_coverage()."""
        return getattr(self, "leaf_count", 0)

    @property
    def coverage_percent(self) -> int | None:
        """Share of leaf requirements covered; reads FrameworkQuerySet.with_coverage() annotations."""
        return share_percent(self.covered_count, getattr(self, "leaf_count", 0))

    @property
    def evidenced_percent(self) -> int | None:
        """Share of leaf requirements with at least one current evidence file attached."""
        return share_percent(getattr(self, "evidenced_count", 0), getattr(self, "leaf_count", 0))


@accepts_evidence("requirements")
class Requirement(Tracked):
    # The API's `<relation>_display` text of this record (vpportal/core/api_relations.py).
    DISPLAY_FIELDS = ("code", "title")
    framework = models.ForeignKey(
        Framework, on_delete=models.CASCADE, related_name="requirements", verbose_name=_("framework")
    )
    code = models.CharField(_("code"), max_length=40)
    title = models.CharField(_("title"), max_length=300, blank=True)
    text = models.TextField(_("text"), blank=True)
    level = models.CharField(_("level"), max_length=16, choices=RequirementLevel.choices, db_index=True)
    parent = optional_link("self", "children", _("parent"), on_delete=models.CASCADE)
    position = models.PositiveIntegerField(_("position"), default=0)
    suggested_category = models.CharField(
        _("suggested risk category"),
        max_length=24,
        choices=RiskCategory.choices,
        blank=True,
        help_text=_("For a risk-library entry: the category a risk registered from it starts with."),
    )

    objects = RequirementQuerySet.as_manager()

    class Meta:
        ordering = ["framework", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="%(app_label)s_%(class)s_unique_code"),
            not_blank("code"),
        ]

    def __str__(self):
        return f"{self.code} {self.title}".strip() if self.title else self.code

    def get_absolute_url(self):
        return record_url("governance:framework_detail", self.framework_id) + f"#req-{self.pk}"
