"""The executive report: one printable page for the leadership meeting, built from the dashboard's
figures plus a few lists (top residual risks, the portfolio's priorities, team development).

`report_data(user)` feeds both the HTML page and the PDF, so they always say the same thing.
`report_pdf(user)` is the PDF, for the synchronous URL and the background job alike.
"""

import datetime
import hashlib

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone

from governance.models import Risk
from initiatives.choices import MentorshipStatus, Stage
from initiatives.models import Initiative, Mentorship, Training
from leadership.dashboard.metrics import CACHE_SECONDS, dashboard

from .audit_trail import history_watermark
from .pdf import html_to_pdf
from .svg import heat_map_svg

TOP_RISKS = 8
TOP_INITIATIVES = 8
TRAINING_WINDOW_DAYS = 90


def report_data(user, today: datetime.date | None = None) -> dict:
    board = dashboard(user, today)
    today = board.today
    residual = next(m for m in board.heat_maps if m["code"] == "residual")
    top_risks = list(
        Risk.objects.visible_to(user)
        .with_related()
        .open()
        .order_by("-residual_score", "-inherent_score", "key")[:TOP_RISKS]
    )
    initiatives = list(
        Initiative.objects.visible_to(user)
        .with_related()
        .exclude(stage=Stage.RETIRED)
        .order_by("priority", "target_date", "key")[:TOP_INITIATIVES]
    )
    since = today - datetime.timedelta(days=TRAINING_WINDOW_DAYS)
    return {
        "board": board,
        "generated_at": timezone.now(),
        "initiatives": initiatives,
        "top_risks": top_risks,
        "residual_svg": heat_map_svg(residual),
        "active_mentorships": Mentorship.objects.visible_to(user).filter(status=MentorshipStatus.ACTIVE).count(),
        "recent_trainings": list(
            Training.objects.visible_to(user)
            .with_related()
            .filter(held_on__gte=since, held_on__lte=today)
            .order_by("-held_on")[:5]
        ),
        "training_window_days": TRAINING_WINDOW_DAYS,
    }


def report_pdf(user, *, base_url: str) -> bytes:
    """The executive report as a PDF for `user`. Reused like the dashboard it is built from: while
    no tracked record changed (the history watermark), for CACHE_SECONDS, per person and day, a
    second request (another click, the job after a synchronous download) costs one query instead of
    a weasyprint rendering. Its "generated" time is then that of the reused copy, which is true."""
    today = timezone.localdate()
    reader = (user.pk, timezone.get_current_timezone_name(), today, base_url)
    key = "report-pdf:" + hashlib.sha256(repr((reader, history_watermark())).encode()).hexdigest()
    pdf = cache.get(key)
    if pdf is None:
        html = render_to_string("vpportal/report_pdf.html", report_data(user, today))
        pdf = html_to_pdf(html, base_url=base_url)
        cache.set(key, pdf, CACHE_SECONDS)
    return pdf
