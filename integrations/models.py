"""Webhook subscriptions and their delivery log; the consumers' positions in the event stream."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

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
    owner = models.ForeignKey(
        "vpportal.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="webhooks",
        verbose_name=_("owner"),
    )
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
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self):
        return self.description or self.url

    @property
    def reader(self):
        """Whose eyes the deliveries see with (visibility, private fields): the owner's account,
        else the author's."""
        return getattr(self.owner, "user", None) or self.created_by

    def get_absolute_url(self):
        return reverse("integrations:webhook_detail", args=[self.pk])


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
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(fields=["webhook", "event", "attempt"], name="integrations_delivery_attempt_once")
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
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["event", "recipient"], name="integrations_notification_once"),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="integrations_notif_unread_idx")]

    def __str__(self):
        return self.text
