"""Webhook subscriptions and their delivery log; the consumers' positions in the event stream."""

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from vpportal.core.bounds import at_least, not_blank, within
from vpportal.core.fields import optional_link
from vpportal.core.history import HistoryChannelModel
from vpportal.core.models import Tracked, TrackedQuerySet
from vpportal.events.models import Event
from vpportal.people.models import Person

from .fields import EncryptedTextField


class WebhookQuerySet(TrackedQuerySet):
    search_fields = ("url", "description")
    label_related = ("owner",)

    def visible_to(self, user):
        from .rules import may_manage_webhooks  # rules imports the permissions of every app

        if may_manage_webhooks(user):
            return super().visible_to(user)
        return self.none()

    def with_related(self):
        return super().with_related().select_related("owner")


class Webhook(Tracked):
    """A subscription: events whose type matches one of `event_types` are POSTed to `url`, signed
    with `secret` (Standard Webhooks). During a rotation the previous secret signs too, until
    `previous_secret_expires_at`."""

    url = models.URLField(_("URL"), max_length=500)
    event_types = models.JSONField(_("event types"), default=list, help_text=_("Patterns such as risk.* or *.deleted"))
    active = models.BooleanField(_("active"), default=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    owner = optional_link("vpportal.Person", "webhooks", _("owner"))
    # Encrypted at rest (integrations.crypto); the signing needs the plain value, so not a hash.
    secret = EncryptedTextField(_("secret"), editable=False)
    previous_secret = EncryptedTextField(blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    disabled_reason = models.CharField(_("disabled because"), max_length=300, blank=True, editable=False)
    # The one worker delivering for this subscription (per-subscription order) holds it until then.
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)

    objects = WebhookQuerySet.as_manager()

    HISTORY_HIDDEN_FIELDS = (*Tracked.HISTORY_HIDDEN_FIELDS, "secret", "previous_secret", "lease_until")

    class Meta:
        ordering = ["-id"]
        constraints = [not_blank("url")]

    def __str__(self):
        return self.description or self.url

    @property
    def reader(self):
        """Whose eyes the deliveries see with (visibility, private fields): the owner's account,
        else the author's."""
        return getattr(self.owner, "user", None) or self.created_by


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    GIVEN_UP = "given_up", _("Given up")


class WebhookDeliveryQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(webhook__in=Webhook.objects.visible_to(user).values("pk"))

    def open(self):
        return self.filter(status=DeliveryStatus.PENDING)


class WebhookDelivery(models.Model):
    """One attempt to deliver one event to one subscription: a failed attempt is followed by the
    next attempt's row (pending, with `next_attempt_at`), so the rows are the delivery log.
    `message_id` (the `webhook-id` header) is the same for every attempt of an event."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    attempt = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    response_status = models.PositiveIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    response_excerpt = models.TextField(blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    attempted_at = models.DateTimeField(null=True, blank=True)

    objects = WebhookDeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(fields=["webhook", "event", "attempt"], name="integrations_delivery_attempt_once"),
            at_least("attempt", 1, name="attempt_from_1"),
            # An HTTP status code, when the receiver answered at all.
            within("response_status", 100, 599, nullable=True, name="response_status_http"),
        ]
        indexes = [models.Index(fields=["webhook", "status", "event"], name="integrations_delivery_open_idx")]

    def __str__(self):
        return f"{self.event.type} to {self.webhook} (attempt {self.attempt})"

    @property
    def message_id(self) -> str:
        return f"msg_evt{self.event_id}_wh{self.webhook_id}"


class StreamPosition(models.Model):
    """How far a consumer (`name`) has read the event stream: ids are handed out in commit order,
    so "everything up to `last_event_id`" is a complete, final set."""

    name = models.CharField(max_length=50, unique=True)
    last_event_id = models.BigIntegerField(default=0)

    def __str__(self):
        return f"{self.name} at {self.last_event_id}"


class EmailChoice(models.TextChoices):
    IMMEDIATELY = "immediately", _("Immediately")
    DIGEST = "digest", _("In the daily digest")
    NEVER = "never", _("Never (only in the portal)")


class NotificationPreference(models.Model):
    """How a person wants their notifications by email (default: the daily digest)."""

    person = models.OneToOneField("vpportal.Person", on_delete=models.CASCADE, related_name="notification_preference")
    email = models.CharField(_("email"), max_length=12, choices=EmailChoice.choices, default=EmailChoice.DIGEST)

    def __str__(self):
        return f"{self.person}: {self.get_email_display()}"


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user):
        person = Person.objects.of_user(user) if user is not None and user.is_authenticated else None
        return self.filter(recipient=person) if person is not None else self.none()

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One person told about one event (once: unique per event and recipient)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey("vpportal.Person", on_delete=models.CASCADE, related_name="notifications")
    verb = models.CharField(_("verb"), max_length=50)
    text = models.CharField(_("text"), max_length=300)
    url = models.CharField(_("URL"), max_length=300, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "recipient"], name="integrations_notification_once"),
            not_blank("text"),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="integrations_notif_unread_idx")]

    def __str__(self):
        return self.text


# --- the model registry (MLflow) ------------------------------------------------------------------
ENV_NAME = RegexValidator(r"^[A-Z_][A-Z0-9_]*$", _("Give the name of an environment variable (A-Z, 0-9, _)."))


class ModelSourceQuerySet(TrackedQuerySet):
    search_fields = ("name", "tracking_uri")

    def visible_to(self, user):
        from .rules import may_manage_webhooks  # the same managers: executive and governance

        if may_manage_webhooks(user):
            return super().visible_to(user)
        return self.none()

    def active(self):
        return self.filter(active=True)


class ModelSource(Tracked):
    """An MLflow tracking server whose registered models are the portal's AI systems and whose model
    versions are their versions (`sync_source` in integrations/registry.py). The token is never stored: the
    sync reads it from the environment variable named `token_env`."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    tracking_uri = models.URLField(_("tracking URI"), max_length=500, help_text=_("e.g. https://mlflow.example.com"))
    token_env = models.CharField(
        _("token variable"),
        max_length=100,
        blank=True,
        validators=[ENV_NAME],
        help_text=_("The environment variable holding the API token (never the token itself); empty: no token."),
    )
    active = models.BooleanField(_("active"), default=True, help_text=_("Synced on the schedule."))
    last_synced_at = models.DateTimeField(_("last synced at"), null=True, blank=True, editable=False)
    last_sync_result = models.JSONField(_("last sync result"), default=dict, blank=True, editable=False)

    objects = ModelSourceQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [not_blank("name"), not_blank("tracking_uri")]

    def __str__(self):
        return self.name


class RegisteredModel(models.Model):
    """A registered model of a source and the AI system it is (matched by name, once). A model
    that left the registry keeps its row, marked `missing_since` (its system and versions stay);
    a renamed one keeps its row under the new name (MLflow keeps its creation time on a rename)."""

    source = models.ForeignKey(ModelSource, on_delete=models.CASCADE, related_name="registered_models")
    name = models.CharField(_("registered model"), max_length=256)
    ai_system = models.ForeignKey(
        "governance.AISystem", on_delete=models.CASCADE, related_name="registered_models", verbose_name=_("AI system")
    )
    mlflow_created_ms = models.BigIntegerField(null=True, blank=True)
    previous_names = models.JSONField(default=list, blank=True)
    # {alias: version}: MLflow answers a model's aliases with the model, not with its versions.
    aliases = models.JSONField(default=dict, blank=True)
    missing_since = models.DateTimeField(_("missing from the registry since"), null=True, blank=True)
    seen_in_sync = models.BigIntegerField(default=0, editable=False)  # the sync run that last saw it

    history = HistoricalRecords(bases=[HistoryChannelModel])

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "name"], name="integrations_registeredmodel_name_once"),
        ]

    def __str__(self):
        return self.name


class Approval(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class AISystemVersionQuerySet(TrackedQuerySet):
    search_fields = ("model_version", "run_id", "source", "registered_model__name", "ai_system__name")
    label_related = ("ai_system",)

    def with_related(self):
        return (
            super()
            .with_related()
            .select_related("ai_system", "registered_model__source", "approved_by")
            .order_by("-registered_at", "-id")
        )

    def awaiting_writeback(self):
        """Decided in the portal, not yet confirmed by the registry."""
        return self.exclude(approval=Approval.PENDING).filter(registry_confirmed=False)


class AISystemVersion(Tracked):
    """A model version registered in MLflow, as the portal knows it (read-mostly: the sync writes it),
    and governance's decision on it, written back to the registry as model-version tags."""

    ai_system = models.ForeignKey(
        "governance.AISystem", on_delete=models.CASCADE, related_name="model_versions", verbose_name=_("AI system")
    )
    registered_model = models.ForeignKey(
        RegisteredModel, on_delete=models.CASCADE, related_name="versions", verbose_name=_("registered model")
    )
    # `version` is every tracked record's concurrency counter: MLflow's version number is this one.
    model_version = models.CharField(_("model version"), max_length=20)
    aliases = models.JSONField(_("aliases"), default=list, blank=True)
    stage = models.CharField(_("stage"), max_length=20, blank=True)
    run_id = models.CharField(_("run id"), max_length=64, blank=True)
    source = models.CharField(_("source"), max_length=500, blank=True)
    registered_at = models.DateTimeField(_("registered at"), null=True, blank=True)
    metrics = models.JSONField(_("metrics at registration"), default=dict, blank=True)
    approval = models.CharField(
        _("approval"), max_length=10, choices=Approval.choices, default=Approval.PENDING, db_index=True
    )
    approved_by = optional_link("vpportal.Person", "+", _("decided by"))
    approved_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_comment = models.TextField(_("comment"), blank=True)
    registry_confirmed = models.BooleanField(_("in the registry"), default=False)
    writeback_error = models.CharField(_("write-back error"), max_length=300, blank=True)
    in_registry = models.BooleanField(_("still registered"), default=True)
    seen_in_sync = models.BigIntegerField(default=0, editable=False)  # the sync run that last saw it

    objects = AISystemVersionQuerySet.as_manager()

    HISTORY_HIDDEN_FIELDS = (*Tracked.HISTORY_HIDDEN_FIELDS, "seen_in_sync")

    class Meta:
        ordering = ["-registered_at", "-id"]
        verbose_name = _("AI system version")
        constraints = [
            models.UniqueConstraint(
                fields=["registered_model", "model_version"], name="integrations_aisystemversion_once"
            ),
            not_blank("model_version"),
            # A decision carries its time (who may be gone: the person link is SET_NULL).
            models.CheckConstraint(
                condition=Q(approval="pending") | Q(approved_at__isnull=False),
                name="%(app_label)s_%(class)s_decision_dated",
            ),
        ]
        indexes = [models.Index(fields=["registered_at", "id"], name="integrations_version_order")]

    def __str__(self):
        return f"{self.registered_model.name} v{self.model_version}"


class KPIFeed(models.Model):
    """A KPI that follows a metric of a registered model's runs: each sync adds the metric's new
    points (of the runs behind the model's versions) as measurements with source `mlflow`."""

    kpi = models.OneToOneField("initiatives.KPI", on_delete=models.CASCADE, related_name="mlflow_feed")
    model_source = models.ForeignKey(ModelSource, on_delete=models.CASCADE, related_name="kpi_feeds")
    model_name = models.CharField(_("registered model"), max_length=256)
    metric_key = models.CharField(_("metric key"), max_length=250)

    history = HistoricalRecords(bases=[HistoryChannelModel])

    class Meta:
        ordering = ["id"]
        verbose_name = _("KPI feed")

    def __str__(self):
        return f"{self.kpi} <- {self.model_name}:{self.metric_key}"
