"""The executive report as a printable page and as a PDF (weasyprint)."""

from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

from vpportal.security import ANY_ROLE, access

from .executive import report_data
from .pdf import html_to_pdf


def _data(request):
    return report_data(request.user)


@access(ANY_ROLE)
def report_view(request):
    return render(request, "vpportal/report.html", _data(request))


@access(ANY_ROLE)
def report_pdf_view(request):
    html = render_to_string("vpportal/report_pdf.html", _data(request), request=request)
    pdf = html_to_pdf(html, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(pdf, content_type="application/pdf")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="executive-report-{stamp}.pdf"'
    return response
