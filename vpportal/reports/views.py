"""The executive report as a printable page and as a PDF (weasyprint)."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

from vpportal.permissions import has_any_role
from vpportal.security import SIGNED_IN, access

from .executive import report_data
from .pdf import html_to_pdf


def _data(request):
    if not has_any_role(request.user):
        raise PermissionDenied
    return report_data(request.user)


@access(SIGNED_IN)
def report_view(request):
    return render(request, "vpportal/report.html", _data(request))


@access(SIGNED_IN)
def report_pdf_view(request):
    html = render_to_string("vpportal/report_pdf.html", _data(request), request=request)
    pdf = html_to_pdf(html, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(pdf, content_type="application/pdf")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="executive-report-{stamp}.pdf"'
    return response
