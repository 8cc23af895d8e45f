"""The executive report as a printable page and as a PDF (weasyprint): rendered in the background
for the page's button (a job with its progress page), or at once at `report/pdf/` for scripts."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from leadership.models import ReportJob
from vpportal.security import ANY_ROLE, access

from .executive import report_data, report_pdf
from .jobs import request_report


def _data(request):
    return report_data(request.user)


@access(ANY_ROLE)
def report_view(request):
    return render(request, "vpportal/report.html", _data(request))


@access(ANY_ROLE)
def report_pdf_view(request):
    pdf = report_pdf(request.user, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(pdf, content_type="application/pdf")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="executive-report-{stamp}.pdf"'
    return response


@require_POST
@access(ANY_ROLE)
def report_job_add(request):
    return redirect("report_job", request_report(request.user).pk)


def _own_job(request, pk) -> ReportJob:
    """A person sees only their own jobs (another's is not found: it holds their visibility)."""
    return get_object_or_404(ReportJob.objects.visible_to(request.user).defer("pdf"), pk=pk)


@access(ANY_ROLE)
def report_job_view(request, pk):
    return render(request, "vpportal/report_job.html", {"job": _own_job(request, pk)})


@access(ANY_ROLE)
def report_job_download(request, pk):
    job = _own_job(request, pk)
    if job.status != "done":
        raise Http404("The report is not ready.")
    pdf = ReportJob.objects.filter(pk=job.pk).values_list("pdf", flat=True).get()
    response = HttpResponse(bytes(pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="executive-report-{job.created_at.date().isoformat()}.pdf"'
    return response
