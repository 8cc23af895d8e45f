"""A record's URL spliced around its id is the URL `reverse()` gives, whatever the script prefix."""

import pytest
from django.test import override_settings
from django.urls import reverse, set_script_prefix

from leadership.dashboard.metrics import list_url
from vpportal.core.record_urls import record_url

NAMES = ["initiatives:initiative_detail", "governance:risk_detail", "people:person_detail", "evidence:pack_job"]


@pytest.fixture
def prefix():
    yield set_script_prefix
    set_script_prefix("/")


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("pk", [1, 7, 90, 2_147_483_647, 9_087_654_321])
def test_the_url_is_what_reverse_gives(name, pk, prefix):
    plain = record_url(name, pk)
    assert plain == reverse(name, args=[pk]) and plain.startswith("/") and str(pk) in plain
    prefix("/portal/")  # served under a path: the prefix is part of the kept pieces' key
    assert record_url(name, pk) == reverse(name, args=[pk]) == "/portal" + plain


def test_an_id_that_is_not_an_integer_is_reversed_as_given():
    assert record_url("initiatives:initiative_detail", "12") == reverse("initiatives:initiative_detail", args=["12"])


def test_another_url_configuration_outside_a_request_is_followed():
    name = "initiatives:initiative_detail"
    assert record_url(name, 3) == "/initiatives/3/"  # the settings' configuration, kept
    assert list_url("initiatives:initiative_list") == "/initiatives/"  # the dashboard's list links, kept alike
    with override_settings(ROOT_URLCONF="tests.record_urls_elsewhere"):
        assert record_url(name, 3) == reverse(name, args=[3]) == "/elsewhere/initiatives/3/"
        assert list_url("initiatives:initiative_list") == "/elsewhere/initiatives/"
    assert record_url(name, 3) == "/initiatives/3/"
