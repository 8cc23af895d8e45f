"""What a leadership team reads: one date format in the reader's time zone, money with its currency,
choices and lists by their labels (history too), a real label on every filter, error pages in the
portal's layout. The API keeps ISO 8601 in UTC."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from initiatives.models import Initiative
from initiatives.services.portfolio import initiative_update
from tests.conftest import api_client, page_client
from tests.factories.portfolio import InitiativeFactory, KPIFactory
from vpportal.core.money import money
from vpportal.core.outage import outage_response
from vpportal.navigation import NAVIGATION, _url
from vpportal.people.models import Person

pytestmark = pytest.mark.django_db

MOMENT = datetime.datetime(2026, 12, 1, 7, 45, tzinfo=datetime.UTC)


def _initiative_at(moment, **kwargs):
    initiative = InitiativeFactory(**kwargs)
    Initiative.objects.filter(pk=initiative.pk).update(created_at=moment, updated_at=moment)
    return initiative


def test_pages_write_dates_one_way_in_the_portal_time_zone(executive):
    initiative = _initiative_at(MOMENT)
    body = page_client(executive).get(initiative.get_absolute_url()).content.decode()
    assert "Created 1 Dec 2026, 07:45" in body
    assert "Dec." not in body and "a.m." not in body


def test_a_person_reads_times_in_their_own_time_zone_from_sign_in(executive):
    Person.objects.filter(user=executive).update(time_zone="Asia/Tokyo")
    initiative = _initiative_at(MOMENT)
    client = Client()
    executive.set_password("pw-for-this-test")
    executive.save()
    signed_in = client.post(reverse("account_login"), {"login": executive.username, "password": "pw-for-this-test"})
    assert signed_in.status_code == 302
    body = client.get(initiative.get_absolute_url()).content.decode()
    assert "Created 1 Dec 2026, 16:45" in body  # 07:45 UTC is 16:45 in Tokyo


def test_saving_ones_own_time_zone_applies_from_the_next_page(executive):
    person = Person.objects.get(user=executive)
    client = page_client(executive)
    form = client.get(reverse("people:person_edit", args=[person.pk]))
    assert form.status_code == 200
    data = {k: v for k, v in form.context["form"].initial.items() if v is not None}
    data.update(time_zone="America/New_York", version=person.version, manager="")
    response = client.post(reverse("people:person_edit", args=[person.pk]), data)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    initiative = _initiative_at(MOMENT)
    assert "Created 1 Dec 2026, 02:45" in client.get(initiative.get_absolute_url()).content.decode()


def test_a_time_zone_that_does_not_exist_is_a_field_error(leader):
    person = Person.objects.get(user=leader)
    person.time_zone = "Mars/Olympus_Mons"
    with pytest.raises(Exception, match="is not a time zone"):
        person.full_clean()


def test_money_reads_with_its_currency_and_grouping():
    with translation.override("en-gb"):
        assert money(Decimal("400000.00"), "EUR") == "EUR\u00a0400,000"
        assert money(Decimal("1250.5"), "usd") == "USD\u00a01,250.50"
        assert money(Decimal("400000"), "EUR", compact=True) == "€400k"
        assert money(None, "EUR") == ""


def test_the_initiative_page_shows_its_budget_as_money_and_partner_functions_by_label(executive):
    initiative = InitiativeFactory(budget=Decimal("400000.00"), currency="EUR", partner_functions=["legal"])
    body = page_client(executive).get(initiative.get_absolute_url()).content.decode()
    assert "EUR\u00a0400,000" in body and "400000.00" not in body
    assert ">Legal<" in body and "['legal']" not in body


def test_history_names_choices_lists_dates_and_money_as_pages_do_and_the_audit_api_keeps_iso(executive):
    initiative = InitiativeFactory(budget=Decimal("100000"), partner_functions=["legal"])
    initiative_update(
        initiative,
        by=executive,
        data={
            "partner_functions": ["legal", "compliance"],
            "budget": Decimal("400000"),
            "target_date": datetime.date(2027, 1, 30),
        },
    )
    page = page_client(executive).get(reverse("initiatives:initiative_history", args=[initiative.pk]))
    body = page.content.decode()
    assert "Legal, Compliance" in body and "[&#x27;legal&#x27;" not in body
    assert "EUR\u00a0400,000" in body and "400000.00" not in body
    assert "30 Jan 2027" in body and "2027-01-30" not in body

    response = api_client(executive).get("/api/v1/audit/", {"object_type": "initiative", "object_id": initiative.pk})
    assert response.status_code == 200, response.content
    text = response.content.decode()
    assert "2027-01-30" in text and "30 Jan 2027" not in text


def _list_urls():
    return [url for _, entries in NAVIGATION for _, name, *_ in entries if (url := _url(name))]


def test_every_filter_of_every_list_in_the_navigation_has_a_real_label(executive):
    client = page_client(executive)
    checked = 0
    for url in _list_urls():
        response = client.get(url)
        if response.status_code != 200 or not response.context or "filter" not in response.context:
            continue
        checked += 1
        body = response.content.decode()
        assert "[invalid name]" not in body, url
        assert "---------" not in body, url
        for field in response.context["filter"].form:
            assert field.label and field.label[0].isupper(), (url, field.name, field.label)
    assert checked >= 8


def test_no_add_form_in_the_navigation_offers_a_blank_dash_choice(executive):
    from django.urls import NoReverseMatch

    client = page_client(executive)
    checked = 0
    for _, entries in NAVIGATION:
        for _, name, *_ in entries:
            if not name.endswith("_list"):
                continue
            try:
                url = reverse(name.removesuffix("_list") + "_add")
            except NoReverseMatch:
                continue
            response = client.get(url)
            if response.status_code != 200:
                continue
            checked += 1
            body = response.content.decode()
            assert "---------" not in body, url
    assert checked >= 8
    body = client.get(reverse("governance:risk_add")).content.decode()
    assert '<option value="" selected>Choose one</option>' in body  # category: required
    assert '<option value="" selected>None</option>' in body  # AI system: optional


def test_multi_value_filters_are_checkbox_groups_that_keep_what_was_ticked(executive):
    from tests.factories.risks import RiskFactory

    RiskFactory(title="Identified one", status="identified")
    RiskFactory(title="Assessed one", status="assessed")
    RiskFactory(title="Closed one", status="closed")
    response = page_client(executive).get(reverse("governance:risk_list"), {"status": ["identified", "assessed"]})
    body = response.content.decode()
    assert "<select" not in body.split('id="id_status"')[1].split("</details>")[0]
    assert 'type="checkbox" name="status" value="identified" id="id_status_0" checked' in body
    assert 'type="checkbox" name="status" value="closed" id="id_status_4">' in body
    assert "<span data-summary>Identified, Assessed</span>" in body
    assert "Identified one" in body and "Assessed one" in body and "Closed one" not in body


def test_kpi_list_filters_read_as_words_and_date_ranges_are_two_labelled_pickers(executive):
    KPIFactory()
    body = page_client(executive).get(reverse("initiatives:milestone_list")).content.decode()
    assert 'aria-label="Due date from"' in body and 'aria-label="Due date to"' in body
    assert "</select>-<" not in body and '">-<' not in body


def test_saved_messages_keep_acronyms(executive):
    kpi = KPIFactory()
    client = page_client(executive)
    form = client.get(reverse("initiatives:kpi_edit", args=[kpi.pk])).context["form"]
    data = {k: ("" if v is None else v) for k, v in form.initial.items()}
    data["version"] = kpi.version
    response = client.post(reverse("initiatives:kpi_edit", args=[kpi.pk]), data, follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert any(m.startswith("KPI “") for m in messages), messages


def test_a_403_page_has_the_layout_the_missing_role_and_a_way_back(contributor):
    response = page_client(contributor).get(reverse("initiatives:initiative_add"))
    assert response.status_code == 403
    body = response.content.decode()
    assert 'aria-label="Main navigation"' in body
    assert "Adding initiatives needs the executive or leader role." in body
    assert "contributor" in body and "Ask an administrator" in body
    assert f'href="{reverse("home")}"' in body


def test_a_404_page_has_the_layout_and_a_way_back(executive, settings):
    settings.DEBUG = False
    response = page_client(executive).get("/people/999999/")
    assert response.status_code == 404
    body = response.content.decode()
    assert 'aria-label="Main navigation"' in body and "Go to your home page" in body


@pytest.mark.urls("tests.security.error_urls")
def test_a_500_page_has_the_portal_look_and_a_way_back(settings):
    settings.DEBUG = False
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "bootstrap.min.css" in body and "Go to your home page" in body and "Traceback" not in body


def test_the_503_page_has_the_portal_look_without_touching_the_database(django_assert_num_queries):
    request = RequestFactory().get("/initiatives/")
    with django_assert_num_queries(0):
        response = outage_response(request, RuntimeError("down"))
    body = response.content.decode()
    assert response.status_code == 503
    assert "VP Portal is unavailable for a moment" in body and "bootstrap.min.css" in body


def test_the_api_keeps_iso_8601_in_utc(executive):
    initiative = _initiative_at(MOMENT)
    data = api_client(executive).get(f"/api/v1/initiatives/{initiative.pk}/").json()
    assert data["created_at"].startswith("2026-12-01T07:45")
    assert timezone.get_current_timezone_name() == "UTC"


def test_import_is_in_the_navigation_only_for_those_who_may_import(executive, contributor):
    assert 'href="/import/"' in page_client(executive).get(reverse("home")).content.decode()
    assert 'href="/import/"' not in page_client(contributor).get(reverse("home")).content.decode()


def test_sortable_headers_say_how_they_sort_and_keep_the_filters(executive):
    KPIFactory()
    url = reverse("initiatives:kpi_list")
    body = page_client(executive).get(url, {"ordering": "name", "q": "x"}).content.decode()
    assert 'aria-sort="ascending"' in body
    assert "ordering=-name" in body and "q=x" in body


def test_the_dashboard_links_to_every_kpi_beyond_the_few_it_charts(executive):
    from leadership.dashboard.metrics import SPARK_KPIS

    KPIFactory.create_batch(SPARK_KPIS + 2)
    body = page_client(executive).get(reverse("dashboard")).content.decode()
    assert f"See all {SPARK_KPIS + 2} KPIs" in body
    assert f'href="{reverse("initiatives:kpi_list")}?ordering=status"' in body
