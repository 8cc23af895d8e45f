"""The home page: who you are, your roles, the panels the apps show you; leaders and executives
start on the dashboard, with the same panels below it."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from governance.views.policies import acknowledgement_panel
from leadership.dashboard.views import dashboard_context
from vpportal.people.models import Person
from vpportal.permissions import EXECUTIVE, LEADER, ROLE_DESCRIPTIONS, has_role, role_names

# Callables `(request) -> (template, context) | None`, one per panel, in the order shown.
HOME_PANELS = (acknowledgement_panel,)


@login_required
def home(request):
    panels = [result for panel in HOME_PANELS if (result := panel(request))]
    roles = sorted(role_names(request.user))
    context = {
        "person": Person.objects.of_user(request.user),
        "roles": [(name, ROLE_DESCRIPTIONS[name]) for name in roles],
        "panels": panels,
    }
    if has_role(request.user, EXECUTIVE, LEADER):
        return render(request, "vpportal/dashboard.html", {**context, **dashboard_context(request), "welcome": True})
    return render(request, "vpportal/home.html", context)
