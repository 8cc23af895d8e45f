"""Whose clock the pages read: the signed-in person's time zone (Person.time_zone), else the
portal's TIME_ZONE. The formats themselves are one for the portal (settings.FORMAT_MODULE_PATH).

The zone is read once, at sign-in, into the session, so a page costs no query for it; saving one's
own Person record refreshes it (vpportal/people/services.py)."""

import zoneinfo
from functools import cache

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vpportal.core import sessions

SESSION_KEY = "vp_time_zone"


@cache
def available_time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value and value not in available_time_zones():
        raise ValidationError(_("“%(value)s” is not a time zone, e.g. Europe/London."), params={"value": value})


def time_zone_choices():
    return [
        ("", _("The portal's time zone")),
        *((zone, zone.replace("_", " ")) for zone in sorted(available_time_zones())),
    ]


def zone_named(zone: str):
    """The zone called `zone`, or the portal's for a blank or unknown name (work done outside a
    request, e.g. a background job, reads the person's Person.time_zone through this)."""
    return zoneinfo.ZoneInfo(zone) if zone and zone in available_time_zones() else timezone.get_default_timezone()


def remember(request, zone: str) -> None:
    """Keep `zone` for the rest of the session (blank: the portal's)."""
    sessions.keep(request, SESSION_KEY, zone)


class TimeZoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
        if zone and zone in available_time_zones():
            timezone.activate(zoneinfo.ZoneInfo(zone))
        else:
            timezone.deactivate()
        return self.get_response(request)
