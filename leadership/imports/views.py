"""The import page for executives: choose a kind and a CSV/XLSX file, read the preview (row-level
errors, what would be created or updated), then import, all or nothing. The admin's import uses
the same flow (`import_flow`). A file of more than IMPORT_BACKGROUND_ROWS rows is previewed and
imported by a worker instead (leadership/imports/jobs.py): the upload leads to the job's page."""

import base64
import secrets

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from leadership.models import ImportJob
from vpportal.security import access

from .exports import export_response
from .importer import REQUIRED, run_import
from .jobs import confirm_import, request_import
from .kinds import KINDS
from .tables import MAX_BYTES, read_table

SESSION_KEY = "vp-import"


class ImportForm(forms.Form):
    kind = forms.ChoiceField(choices=[(k.slug, k.label) for k in KINDS.values()], label="What the file holds")
    file = forms.FileField(label="CSV or XLSX file", help_text="The first row names the columns.")

    def __init__(self, *args, fixed_kind=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].widget.attrs["class"] = "form-select"
        self.fields["file"].widget.attrs["class"] = "form-control"
        if fixed_kind:
            self.fields["kind"].initial = fixed_kind
            self.fields["kind"].widget = forms.HiddenInput()


def import_flow(request, *, template: str, extra: dict | None = None, fixed_kind: str | None = None):
    """GET: the form; POST: preview (stores the file in the session under a token) or, with the
    preview's token, the real import."""
    context = {
        "kind_rows": [(k, REQUIRED[k.slug]) for k in KINDS.values()],
        "max_mb": MAX_BYTES // (1024 * 1024),
        **(extra or {}),
    }
    form = ImportForm(fixed_kind=fixed_kind)
    if request.method == "POST" and request.POST.get("token"):
        stored = request.session.get(SESSION_KEY, {})
        if stored.get("token") != request.POST["token"]:
            messages.error(request, "This preview has expired; upload the file again.")
            return redirect(request.path)
        rows = read_table(base64.b64decode(stored["content"]), stored["filename"])
        report = run_import(stored["kind"], rows, by=request.user, preview=False)
        request.session.pop(SESSION_KEY, None)
        if report.written:
            summary = report.summary
            messages.success(
                request,
                f"Imported {stored['filename']}: {summary['create']} created, {summary['update']} updated, "
                f"{summary['unchanged']} unchanged.",
            )
            return redirect(request.path)
        context.update(report=report, filename=stored["filename"])
    elif request.method == "POST":
        form = ImportForm(request.POST, request.FILES, fixed_kind=fixed_kind)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if upload.size > MAX_BYTES:
                    raise ValidationError(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
                content = upload.read()
                rows = read_table(content, upload.name)
            except ValidationError as error:
                form.add_error("file", error)
            else:
                kind = form.cleaned_data["kind"]
                if len(rows) > settings.IMPORT_BACKGROUND_ROWS:
                    job = request_import(
                        request.user, kind=kind, filename=upload.name, content=content, row_count=len(rows)
                    )
                    return redirect("import_job", job.pk)
                report = run_import(kind, rows, by=request.user, preview=True)
                token = secrets.token_urlsafe(16)
                if report.ok and rows:
                    request.session[SESSION_KEY] = {
                        "token": token,
                        "kind": kind,
                        "filename": upload.name,
                        "content": base64.b64encode(content).decode("ascii"),
                    }
                context.update(report=report, filename=upload.name, token=token, preview=True, empty=not rows)
    context["form"] = form
    return render(request, template, context)


@access("vpportal.import_data")
def import_data(request):
    export = request.GET.get("export")
    if export in KINDS:
        return export_response(export, request.GET.get("format", "csv"))
    return import_flow(request, template="vpportal/import.html")


def _own_job(request, pk) -> ImportJob:
    """A person sees only their own import jobs (another's is not found)."""
    return get_object_or_404(ImportJob.objects.visible_to(request.user).defer("content"), pk=pk)


@access("vpportal.import_data")
def import_job_view(request, pk):
    return render(request, "vpportal/import_job.html", {"job": _own_job(request, pk)})


@require_POST
@access("vpportal.import_data")
def import_job_confirm(request, pk):
    job = _own_job(request, pk)
    if not confirm_import(job):
        messages.error(request, "This file cannot be imported (any more): see its preview.")
    return redirect("import_job", job.pk)


@access("vpportal.import_data")
def export_data(request):
    """A download in the import format (linked from the import page as /import/export/?export=...)."""
    export = request.GET.get("export")
    if export is None:  # no kind asked for: the import page lists them
        return redirect("import_data")
    if export not in KINDS:
        raise Http404("No such export.")
    return export_response(export, request.GET.get("format", "csv"))
