from django.db import models
from django.utils.translation import gettext_lazy as _


class DigestEntry(models.Model):
    """One item sent to one person on one day: how the reminder digest stays at most once per item
    per day however often cron runs it. Bookkeeping of a background job, not a domain record, so
    it carries no history or version."""

    person = models.ForeignKey(
        "vpportal.Person", on_delete=models.CASCADE, related_name="digest_entries", verbose_name=_("person")
    )
    item = models.CharField(_("item"), max_length=64, help_text=_("kind:id, e.g. mitigation:12"))
    sent_on = models.DateField(_("sent on"), db_index=True)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        # Created by vpportal's migrations before this app existed: it keeps that label and table.
        app_label = "vpportal"
        verbose_name = _("digest entry")
        verbose_name_plural = _("digest entries")
        constraints = [
            models.UniqueConstraint(fields=["person", "item", "sent_on"], name="%(app_label)s_%(class)s_once_a_day"),
        ]

    def __str__(self):
        return f"{self.item} to {self.person_id} on {self.sent_on}"
