"""The tracked base every domain record inherits: who and when, an optimistic-concurrency version,
and a full change history."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from vpportal.core.record_urls import record_url
from vpportal.roles import has_any_role

from .bounds import clean_generic_fields
from .fields import optional_link
from .history import HistoryChannelModel
from .private_fields import PrivateReader, PrivateTextField, reader_of, set_reader


class _ReaderTaggingIterable(models.query.ModelIterable):
    """Instances remember the reader of the query they came from (see `Tracked.refresh_from_db`)."""

    def __iter__(self):
        reader = reader_of(self.queryset)
        for obj in super().__iter__():
            obj._private_reader = reader
            yield obj


class TrackedQuerySet(models.QuerySet):
    """Reads shared by pages, admin, API and exports.

    Subclasses extend `with_related()` (joins and annotations a list or detail needs) and
    `search_fields` (what the free-text `q`/`search` filter looks in).
    """

    search_fields: tuple[str, ...] = ()
    # The relations `str()` and `get_absolute_url()` of a row read (see `for_labels`).
    label_related: tuple[str, ...] = ()

    def visible_to(self, user):
        if user is None or not user.is_authenticated or not has_any_role(user):
            return self.none()
        # The reader travels with the query: restricted columns compile to their mask for this user
        # (vpportal/core/private_fields.py), whatever is chained after.
        visible = set_reader(self._chain(), PrivateReader(user))
        if visible._iterable_class is models.query.ModelIterable:
            visible._iterable_class = _ReaderTaggingIterable
        return visible

    def _add_hints(self, **hints):
        # A related manager of an instance read by a reader (mentorship.sessions) reads as that reader.
        super()._add_hints(**hints)
        reader = getattr(hints.get("instance"), "_private_reader", None)
        if reader is not None:
            set_reader(self, reader)

    def restricted_ids_for(self, user):
        """None when `user` reads every record of the model; otherwise the ids (a subquery) of the
        records that exist for them. The audit trail keeps history rows of other records out."""
        return None

    def reads_every_row(self) -> bool:
        """Whether this queryset (typically `visible_to(user)`) is the whole table as stored: no
        condition, annotation, slice or DISTINCT, and no column masked per reader. Its reads are
        then the same for every such reader, so their SQL may be compiled once per process
        (vpportal/core/compiled.py); anything else builds the reader's own statement."""
        query = self.query
        if query.where or query.annotations or query.is_sliced or query.distinct or query.extra or query.combinator:
            return False
        return not any(isinstance(field, PrivateTextField) for field in self.model._meta.concrete_fields)

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
    created_by = optional_link(settings.AUTH_USER_MODEL, "+", _("created by"), editable=False)
    updated_by = optional_link(settings.AUTH_USER_MODEL, "+", _("updated by"), editable=False)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    # The history tables keep no index of the copied time stamps: no read of history filters or
    # orders by them (audit trail, activity, history pages and the watermark read history_date,
    # history_id, history_user, history_channel and id), and each index costs every history row
    # written (bulk ingest's 10,000 history rows). The copied created_by/updated_by keep theirs: the
    # migration that drops a user link's index re-renders every model that links to a user, once
    # per history table, which made every fresh database (each test worker's) slower to build.
    history = HistoricalRecords(
        inherit=True,
        bases=[HistoryChannelModel],
        no_db_index=["created_at", "updated_at"],
    )

    objects = TrackedQuerySet.as_manager()

    class Meta:
        abstract = True

    def get_absolute_url(self):
        """The record's page: its app's `<model>_detail` (the name `tracked_paths` gives it). A record
        shown on another record's page (a milestone on its initiative's) says so itself."""
        return record_url(f"{self._meta.app_label}:{self._meta.model_name}_detail", self.pk)

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        # A deferred column loaded on access reads as the reader of the original query did.
        reader = getattr(self, "_private_reader", None)
        if reader is not None and from_queryset is None:
            from_queryset = set_reader(type(self)._base_manager.all(), reader)
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)

    def clean_fields(self, exclude=None):
        """Every field's generic bounds first (text stripped, no NUL, long text capped, plausible
        dates: vpportal/core/bounds.py), so "  " fails as blank and a field error names the field."""
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
