"""Pages of evidence: list (filters: kind, attached to, uploaded by, expiring before), upload (drag and
drop with a progress bar; a plain form without JavaScript), detail with the file's versions,
edit, new file version, delete, history and download. Rules live in evidence.services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views import generic as django_views

from evidence import jobs, pack, registry, uploads
from evidence.choices import PackJobStatus
from evidence.downloads import download_response, stored_file_response, versions_of
from evidence.filtersets import EvidenceFilterSet
from evidence.forms import EvidenceForm, ReplaceFileForm
from evidence.models import Evidence, EvidenceLink, EvidencePackJob
from evidence.services import evidence as services
from evidence.specs import EVIDENCE
from vpportal.core import views as generic
from vpportal.core.services import ConflictError


class EvidenceViewMixin:
    spec = EVIDENCE


class StreamedUploadMixin:
    """The body of a POST is read through the evidence upload handler (hashing, the size cap, a
    temporary file): installed before the CSRF check reads the form, which then runs as usual."""

    @classmethod
    def as_view(cls, **initkwargs):
        return uploads.streamed(super().as_view(**initkwargs))

    def refuse_too_large(self, form) -> bool:
        if getattr(self.request, "evidence_refused", None) == uploads.TOO_LARGE:
            form.errors.pop("file", None)
            form.add_error("file", uploads.msg_too_large())
            return True
        return False


EvidenceListView, EvidenceHistoryView = generic.record_pages(
    EvidenceViewMixin, "List History", filterset_class=EvidenceFilterSet
)


class EvidenceDetailView(EvidenceViewMixin, generic.TrackedDetailView):
    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx.update(
            attached=attached_records(user, self.object),
            versions=versions_of(self.object),
            replace_form=ReplaceFileForm(initial={"version": self.object.version}),
            max_mb=uploads.max_bytes() // (1024 * 1024),
        )
        return ctx


def attached_records(user, evidence) -> list[tuple[registry.Attachable, object]]:
    """The records of `evidence` that `user` sees, one query per kind (the links' one included)."""
    links = list(EvidenceLink.objects.filter(evidence=evidence).visible_to(user))
    result = []
    type_ids = registry.content_type_ids()
    for kind in registry.attachables():
        type_id = type_ids[kind.name]
        ids = [link.object_id for link in links if link.content_type_id == type_id]
        if ids:
            result += [(kind, record) for record in kind.model.objects.filter(pk__in=ids).order_by("pk")]
    return result


class EvidenceCreateView(StreamedUploadMixin, EvidenceViewMixin, generic.TrackedCreateView):
    """Upload. `?attach=risks:12` (from a record's page) preselects that record."""

    form_class = EvidenceForm
    template_name = "evidence/evidence_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        initial = super().get_initial()
        name, _, pk = self.request.GET.get("attach", "").partition(":")
        if registry.by_name(name) and pk.isdigit():
            initial[name] = [int(pk)]
        return initial

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "max_mb": uploads.max_bytes() // (1024 * 1024)}

    def form_invalid(self, form):
        self.refuse_too_large(form)
        return super().form_invalid(form)

    def post(self, request, *args, **kwargs):
        self.object = None
        form = self.get_form()
        if self.refuse_too_large(form) or not form.is_valid():
            return self.form_invalid(form)
        return self.form_valid(form)

    def apply_service(self, form):
        data = form.service_data()
        return services.evidence_create(by=self.request.user, data=data, upload=form.cleaned_data["file"])


class EvidenceUpdateView(EvidenceViewMixin, generic.TrackedUpdateView):
    form_class = EvidenceForm
    update_service = services.evidence_update

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "with_file": False}


class EvidenceReplaceFileView(
    StreamedUploadMixin, EvidenceViewMixin, generic.RecordPermissionMixin, generic.PermissionMixin, django_views.View
):
    """A new version of the file (POST from the detail page). Changing the record is the right it
    needs, decided on the record (write access to an attached one), as the edit page does."""

    permission_action = "change"

    def post(self, request, pk):
        evidence = get_object_or_404(Evidence.objects.visible_to(request.user), pk=pk)
        self.check_permission(evidence)
        form = ReplaceFileForm(request.POST, request.FILES)
        if not self.refuse_too_large(form) and form.is_valid():
            try:
                services.evidence_replace_file(
                    evidence, by=request.user, upload=form.cleaned_data["file"], version=form.cleaned_data["version"]
                )
            except ConflictError as error:
                form.add_error(None, error.message)
            except ValidationError as error:
                form.add_error("file", error.message_dict.get("file", error.messages))
            else:
                messages.success(request, f"New version of “{evidence}” uploaded.")
                return HttpResponseRedirect(evidence.get_absolute_url())
        for error in [*form.non_field_errors(), *form.errors.get("file", [])]:
            messages.error(request, f"File not replaced: {error}")
        return HttpResponseRedirect(evidence.get_absolute_url() + "#versions")


class EvidenceDeleteView(EvidenceViewMixin, generic.TrackedDeleteView):
    delete_service = services.evidence_delete


class EvidenceDownloadView(EvidenceViewMixin, generic.PermissionMixin, django_views.View):
    """The file (or an earlier version: `?sha256=`), to readers of one of its records; 404 to others."""

    def get(self, request, pk):
        evidence = get_object_or_404(Evidence.objects.visible_to(request.user), pk=pk)
        try:
            return download_response(evidence, request.GET.get("sha256"))
        except LookupError:
            raise Http404("No such version of this file.")


class EvidencePackView(EvidenceViewMixin, generic.PermissionMixin, django_views.View):
    """A ZIP of the evidence the list's filters select (`?attached_to=ai_systems:12`): index.csv
    and the files, only what the reader sees."""

    def get(self, request):
        filterset = EvidenceFilterSet(request.GET, queryset=Evidence.objects.visible_to(request.user), request=request)
        if not filterset.is_valid():
            raise Http404("Unknown filter.")
        label = request.GET.get("attached_to", "all").replace(":", "-") or "all"
        return pack_response(request, filterset.qs, name=f"evidence-pack-{label}")

    post = get  # "Build it in the background" on the page offered for a large pack


def pack_response(request, evidence_queryset, name: str):
    """An evidence pack: on GET the ZIP at once when the selection is small (EVIDENCE_PACK_INLINE_MB),
    else a page offering to build it in the background; on POST (that page's button) a job for a
    worker, and its page. `evidence_queryset` holds only what the reader sees."""
    if request.method == "POST":
        job = jobs.request_pack(request.user, evidence_queryset, name)
        return HttpResponseRedirect(job.get_absolute_url())
    files, size = pack.totals(evidence_queryset)
    if size <= pack.inline_limit():
        return pack.build(evidence_queryset, name=name)
    context = {"files": files, "size": size, "name": name, "limit": pack.inline_limit()}
    return render(request, "evidence/pack_offer.html", context)


class EvidencePackJobMixin(EvidenceViewMixin, generic.PermissionMixin):
    def get_job(self, request, pk) -> EvidencePackJob:
        """A person sees only their own jobs (another's is not found: it holds their visibility)."""
        return get_object_or_404(EvidencePackJob.objects.visible_to(request.user), pk=pk)


class EvidencePackJobView(EvidencePackJobMixin, django_views.View):
    """One pack built in the background: its progress (the page reloads itself), then the download."""

    def get(self, request, pk):
        return render(request, "evidence/pack_job.html", {"job": self.get_job(request, pk)})


class EvidencePackJobDownloadView(EvidencePackJobMixin, django_views.View):
    def get(self, request, pk):
        job = self.get_job(request, pk)
        if job.status != PackJobStatus.DONE:
            raise Http404("The pack is not ready.")
        return stored_file_response(job.stored_name, f"{job.name}.zip", "application/zip", job.size)


def upload_url_for(record) -> str:
    kind = registry.for_model(type(record))
    return f"{reverse('evidence:evidence_add')}?attach={kind.name}:{record.pk}"
