from django.conf import settings

from vpportal.navigation import menu_for
from vpportal.people.session_name import shown_name


def portal(request):
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    return {
        "navigation": menu_for(user) if signed_in else [],
        "user_shown_name": shown_name(request, user) if signed_in else "",
        "demo_mode": settings.DEMO_MODE,
    }
