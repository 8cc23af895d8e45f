"""The executive-report PDF is reused like the dashboard it is built from: while no tracked record
changed, per reader, time zone and day, a second request costs the history watermark's query and no
weasyprint rendering; a change through the app renders it anew. The background job renders in the
asker's own time zone (their pages' clock), not the server's."""

import io
import zoneinfo
from unittest import mock

import pytest
from django.core.cache import cache
from django.utils import timezone
from pypdf import PdfReader

from leadership.models import ReportJob
from leadership.reports import executive as executive_report
from leadership.reports.executive import report_pdf
from leadership.reports.jobs import render_job
from tests.factories.people import PersonFactory
from tests.leadership.conftest import build_world
from vpportal.people.models import Person

pytestmark = pytest.mark.django_db
BASE = "http://testserver/"


def test_an_unchanged_report_pdf_is_reused_and_a_change_renders_it_anew(executive, leader, django_assert_num_queries):
    from initiatives.services import portfolio

    owner = PersonFactory()
    build_world(1, owner=owner)
    cache.clear()
    with mock.patch.object(executive_report, "html_to_pdf", wraps=executive_report.html_to_pdf) as render:
        first = report_pdf(executive, base_url=BASE)
        with django_assert_num_queries(1):  # the history watermark only
            assert report_pdf(executive, base_url=BASE) == first
        assert render.call_count == 1
        report_pdf(leader, base_url=BASE)  # another reader sees other records: their own copy
        assert render.call_count == 2
        with timezone.override("Asia/Tokyo"):  # another clock prints other times
            report_pdf(executive, base_url=BASE)
        assert render.call_count == 3
        portfolio.initiative_create(by=leader, data={"title": "One more for the report", "owner": owner})
        report_pdf(executive, base_url=BASE)
        assert render.call_count == 4


def test_the_background_job_prints_times_in_the_askers_time_zone(executive):
    Person.objects.filter(user=executive).update(time_zone="Pacific/Kiritimati")  # UTC+14
    cache.clear()
    job = ReportJob.objects.create(requested_by=executive)
    fixed = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)
    with mock.patch("leadership.reports.executive.timezone.now", return_value=fixed):
        assert render_job(job.pk) is True
    job.refresh_from_db()
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(bytes(job.pdf))).pages)
    kiritimati = timezone.localtime(fixed, timezone=zoneinfo.ZoneInfo("Pacific/Kiritimati"))
    assert kiritimati.strftime("%H:%M") == "02:00" and "02:00" in text, text[:300]
