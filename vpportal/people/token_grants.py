"""What an API token was granted beyond acting as its user: minting further tokens. Kept beside
knox's own table (knox's token model has no room for it), one row per token, deleted with it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TokenGrant(models.Model):
    token = models.OneToOneField(
        settings.KNOX_TOKEN_MODEL, on_delete=models.CASCADE, related_name="grant", primary_key=True
    )
    can_create_tokens = models.BooleanField(
        _("may create tokens"),
        default=False,
        help_text=_("Calls made with this token may create (and revoke) its user's tokens."),
    )
    # The token that created this one through the API (None: created on the page or by a session).
    # Revoking a token revokes the ones it created (vpportal.people.tokens.token_revoke).
    parent = models.ForeignKey(
        settings.KNOX_TOKEN_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="children"
    )

    class Meta:
        verbose_name = _("API token grant")

    def __str__(self):
        return f"{self.token_id[:8]}: {'may' if self.can_create_tokens else 'may not'} create tokens"
