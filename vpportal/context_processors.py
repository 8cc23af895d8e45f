from django.conf import settings

from vpportal.navigation import menu_for


def portal(request):
    user = getattr(request, "user", None)
    return {
        "navigation": menu_for(user) if user is not None and user.is_authenticated else [],
        "demo_mode": settings.DEMO_MODE,
    }
