"""The home page: who you are, your roles and "My work" (leadership/my_work.py) for every role;
leaders and executives see the dashboard below their work."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from leadership.dashboard.views import dashboard_context
from leadership.my_work import my_work
from vpportal.people.models import Person
from vpportal.permissions import EXECUTIVE, LEADER, ROLE_DESCRIPTIONS, has_role, role_names


@login_required
def home(request):
    roles = sorted(role_names(request.user))
    context = {
        "person": Person.objects.of_user(request.user),
        "roles": [(name, ROLE_DESCRIPTIONS[name]) for name in roles],
        "my_work": my_work(request.user),
    }
    if has_role(request.user, EXECUTIVE, LEADER):
        return render(request, "vpportal/dashboard.html", {**context, **dashboard_context(request), "welcome": True})
    return render(request, "vpportal/home.html", context)
