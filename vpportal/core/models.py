"""The tracked base every domain record inherits: who and when, an optimistic-concurrency version,
and a full change history."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .history import HistoryChannelModel


class TrackedQuerySet(models.QuerySet):
    """Reads shared by pages, admin, API and exports.

    Subclasses extend `with_related()` (joins and annotations a list or detail needs) and
    `search_fields` (what the free-text `q`/`search` filter looks in).
    """

    search_fields: tuple[str, ...] = ()
    # The relations `str()` and `get_absolute_url()` of a row read (see `for_labels`).
    label_related: tuple[str, ...] = ()

    def visible_to(self, user):
        # Import here: permissions imports models of every app.
        from vpportal.permissions import has_any_role

        if user is None or not user.is_authenticated or not has_any_role(user):
            return self.none()
        return self

    def with_related(self):
        return self.select_related("created_by", "updated_by")

    def for_labels(self):
        """Rows to name and link to (audit events): only the joins their labels need, none of the
        annotations `with_related()` computes for lists."""
        return self.select_related(*self.label_related) if self.label_related else self

    def search(self, text: str):
        text = (text or "").strip()
        if not text or not self.search_fields:
            return self
        condition = models.Q()
        for term in text.split():
            term_q = models.Q()
            for field in self.search_fields:
                term_q |= models.Q(**{f"{field}__icontains": term})
            condition &= term_q
        return self.filter(condition)


class Tracked(models.Model):
    """Abstract base: created/updated stamps, `version` for optimistic concurrency, history."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("created by"),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("updated by"),
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    history = HistoricalRecords(inherit=True, bases=[HistoryChannelModel])

    objects = TrackedQuerySet.as_manager()

    class Meta:
        abstract = True

    def clean_fields(self, exclude=None):
        """Every field's generic bounds first (text stripped, no NUL, long text capped, plausible
        dates: vpportal/core/bounds.py), so "  " fails as blank and a field error names the field."""
        from django.core.exceptions import ValidationError

        from .bounds import clean_generic_fields

        exclude = set(exclude or ())
        errors = clean_generic_fields(self, exclude)
        try:
            super().clean_fields(exclude=exclude | set(errors))
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors.setdefault(name, []).extend(messages)
        if errors:
            raise ValidationError(errors)

    @property
    def etag(self) -> str:
        return f'"{self.pk}-{self.version}"'

    # Fields never shown in history diffs.
    HISTORY_HIDDEN_FIELDS = ("updated_at", "version", "updated_by", "created_at", "created_by")
