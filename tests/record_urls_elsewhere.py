"""The app's URLs served under /elsewhere/ (tests/test_record_urls.py)."""

from django.urls import include, path

urlpatterns = [path("elsewhere/", include("vpportal.urls"))]
