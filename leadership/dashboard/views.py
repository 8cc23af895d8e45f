"""The dashboard page (also the home page of leaders and executives)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from leadership.due import due_items
from leadership.search import MIN_LENGTH, search
from vpportal.people.models import Person
from vpportal.permissions import has_any_role
from vpportal.security import ANY_ROLE, access

from .metrics import dashboard


def dashboard_context(request) -> dict:
    # Every role reads every figure (each through the area's visible_to); no role, no dashboard
    # (the home page calls this for leaders and executives only).
    if not has_any_role(request.user):
        raise PermissionDenied
    return {"board": dashboard(request.user)}


@access(ANY_ROLE)
def dashboard_view(request):
    return render(request, "vpportal/dashboard.html", dashboard_context(request))


@access(ANY_ROLE)
def due_view(request):
    """One queue of everything dated: `?mine=1` keeps the signed-in person's items."""
    mine = request.GET.get("mine") in ("1", "true", "on")
    person = Person.objects.of_user(request.user)
    items = due_items(request.user, person=person, mine=mine)
    return render(request, "vpportal/due.html", {"items": items, "mine": mine, "person": person})


@access(ANY_ROLE)
def search_view(request):
    text = request.GET.get("q", "").strip()[:200]
    return render(
        request,
        "vpportal/search.html",
        {"q": text, "groups": search(request.user, text), "min_length": MIN_LENGTH},
    )
