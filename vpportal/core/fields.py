"""Field builders the models share, so one kind of field is declared one way."""

from django.conf import settings
from django.db import models


def optional_link(to, related_name: str, verbose_name, *, on_delete=models.SET_NULL, **options) -> models.ForeignKey:
    """A foreign key a record may leave empty (null in the database, blank in forms): an owner, a
    sponsor, the login that did something. Without `on_delete` the link empties when its target
    goes."""
    return models.ForeignKey(
        to, on_delete=on_delete, null=True, blank=True, related_name=related_name, verbose_name=verbose_name, **options
    )


def decided_by(verbose_name) -> models.ForeignKey:
    """The login that made a decision the record keeps (approved a policy version, accepted a risk,
    reported an incident): set by the service that records it, never on a form, and the login
    cannot be deleted while a record names it. Empty until the decision is made."""
    return optional_link(settings.AUTH_USER_MODEL, "+", verbose_name, on_delete=models.PROTECT, editable=False)


def decided_at(verbose_name) -> models.DateTimeField:
    """When that decision was made (empty until it is), set with `decided_by`."""
    return models.DateTimeField(verbose_name, null=True, blank=True, editable=False)
