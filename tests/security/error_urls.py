"""A URL configuration with one view that fails, to see what a server error shows."""

from django.urls import path


def boom(request):
    raise ValueError("lookup failed for ceo-private@example.com with SECRET token abc123")


urlpatterns = [path("boom/", boom)]
