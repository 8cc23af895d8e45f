from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from vpportal.core.bounds import not_blank
from vpportal.core.fields import optional_link
from vpportal.core.models import Tracked, TrackedQuerySet
from vpportal.core.record_urls import record_url
from vpportal.localisation import validate_time_zone

from .choices import CareerLevel, Function


class PersonQuerySet(TrackedQuerySet):
    search_fields = ("name", "email", "title")

    def with_related(self):
        return super().with_related().select_related("manager", "user")

    def active(self):
        return self.filter(active=True)

    def of_user(self, user) -> "Person | None":
        """The Person linked to a login (None for none or an anonymous user), cached on the user
        for the request: permissions, pages and services ask it many times per request."""
        if not getattr(user, "is_authenticated", False):
            return None
        if not hasattr(user, "_vp_person"):
            user._vp_person = self.filter(user=user).first()
        return user._vp_person


class Person(Tracked):
    """A member of the organisation, optionally linked to a login."""

    # The API's `<relation>_display` text of this record (vpportal/core/api_relations.py).
    DISPLAY_FIELDS = ("name",)

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
        verbose_name=_("login"),
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"), max_length=254, unique=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    function = models.CharField(_("function"), max_length=32, choices=Function.choices, default=Function.OTHER)
    career_level = models.CharField(
        _("career level"), max_length=16, choices=CareerLevel.choices, default=CareerLevel.ENGINEER_1
    )
    manager = optional_link("self", "reports", _("manager"))
    active = models.BooleanField(_("active"), default=True, db_index=True)
    # Blank: the portal's TIME_ZONE. A validator, not choices: the list is the server's tz database,
    # which changes with it, and choices would put it into a migration.
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        default="",
        validators=[validate_time_zone],
        help_text=_("Dates and times on the pages are shown in it; blank for the portal's."),
    )

    objects = PersonQuerySet.as_manager()

    class Meta:
        app_label = "vpportal"
        ordering = ["name"]
        verbose_name_plural = _("people")
        indexes = [
            models.Index(fields=["function"]),
            models.Index(Lower("name"), name="vpportal_person_lname"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(manager=models.F("id")), name="%(app_label)s_%(class)s_not_own_manager"
            ),
            not_blank("name"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return record_url("people:person_detail", self.pk)

    def clean(self):
        if self.email:
            self.email = self.email.strip().lower()
        if self.pk and self.manager_id == self.pk:
            raise ValidationError({"manager": _("A person cannot be their own manager.")})
