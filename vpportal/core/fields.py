"""Field builders the models share, so one kind of field is declared one way."""

from django.db import models


def optional_link(to, related_name: str, verbose_name, *, on_delete=models.SET_NULL, **options) -> models.ForeignKey:
    """A foreign key a record may leave empty (null in the database, blank in forms): an owner, a
    sponsor, the login that did something. Without `on_delete` the link empties when its target
    goes."""
    return models.ForeignKey(
        to, on_delete=on_delete, null=True, blank=True, related_name=related_name, verbose_name=verbose_name, **options
    )
