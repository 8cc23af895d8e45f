"""The printable report of one incident (HTML and PDF): what a notification to the market
surveillance authority under EU AI Act Article 73 asks for, read from the incident's record."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone

from governance.models import AISystem, Incident
from vpportal.security import access

from .pdf import html_to_pdf


def report_context(request, pk) -> dict:
    incident = get_object_or_404(Incident.objects.visible_to(request.user).with_related(), pk=pk)
    systems = (
        AISystem.objects.visible_to(request.user)
        .filter(incidents=incident)
        .select_related("vendor", "owner", "initiative")
        .order_by("name")
    )
    return {
        "incident": incident,
        "systems": systems,
        "risks": incident.risks.order_by("key"),
        "mitigations": incident.mitigations.select_related("risk", "owner").order_by("due_date", "id"),
        "generated_at": timezone.now(),
    }


@access("governance.view_incident")
def incident_report_view(request, pk):
    return render(request, "vpportal/incident_report.html", report_context(request, pk))


@access("governance.view_incident")
def incident_report_pdf_view(request, pk):
    context = report_context(request, pk)
    html = render_to_string("vpportal/incident_report_pdf.html", context, request=request)
    pdf = html_to_pdf(html, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="incident-report-{context["incident"].key}.pdf"'
    return response
