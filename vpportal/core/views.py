"""Generic page views every tracked model uses: list (filters, search, sorting, pagination, CSV/XLSX),
detail, create, edit, delete and history. A model's views are configuration on top of these."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.text import capfirst, slugify
from django.views import generic
from django_filters.views import FilterView

from vpportal.permissions import perm_name, refusal_message

from . import audit
from .bulk import BulkActionView, bulk_form
from .export import FILE_EXPORTS, csv_response, export_filename, xlsx_response
from .fieldspec import FieldSpec, ModelFromSpec
from .paginator import BoundedPaginator
from .services import ConflictError, TransitionError, channel_service


class PermissionMixin(ModelFromSpec, LoginRequiredMixin):
    """Refuses (403) a signed-in user who may not do `permission_action` on the model or record."""

    permission_action = "view"

    def check_permission(self, obj=None):
        model = self.model
        if not self.request.user.has_perm(perm_name(model, self.permission_action), obj):
            raise PermissionDenied(refusal_message(model, self.permission_action))  # the 403 page says it

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.check_permission()
        return super().dispatch(request, *args, **kwargs)


class RecordPermissionMixin:
    """Checks the permission on the record once it is read (object rules apply), not on the model."""

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        self.check_permission(obj)
        return obj

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        return generic.View.dispatch(self, request, *args, **kwargs)


class ModelContextMixin(ModelFromSpec):
    """The model's names, URL prefix and add permission for the templates; the records this user
    may see, with what lists and pages show of them."""

    writes = None  # the model's Writes: what the create, edit and delete pages call

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user).with_related()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        meta = self.model._meta
        user = self.request.user
        ctx.update(
            model_meta=meta,
            verbose_name=meta.verbose_name,
            verbose_name_plural=meta.verbose_name_plural,
            url_prefix=self.url_prefix(),
            can_add=user.has_perm(perm_name(self.model, "add")),
        )
        return ctx

    @classmethod
    def url_prefix(cls):
        return f"{cls.url_namespace}:{cls.model._meta.model_name}"


class TrackedListView(PermissionMixin, ModelContextMixin, FilterView):
    """The list page and its CSV/XLSX export, both from the model's `spec` (vpportal.core.fieldspec):
    the page shows the spec's list columns (the first links to the record), the export every
    exported column of the filtered rows. Its template is the model's own list page where there is
    one (Django's convention, `<app_label>/<model_name>_list.html`), else the generic list."""

    template_name_suffix = "_list"  # django-filter's FilterView would look for `_filter`
    paginate_by = 25
    paginator_class = BoundedPaginator  # the count does not grow with the table (as in the API)
    spec: FieldSpec
    strict = False
    bulk_fields: tuple[str, ...] = ()  # set with a `<model>_bulk` URL (vpportal.core.bulk): rows get checkboxes

    def get_template_names(self):
        return [*super().get_template_names(), "generic/object_list.html"]

    def get(self, request, *args, **kwargs):
        export = request.GET.get("export")
        if export in ("csv", "xlsx"):
            filterset = self.get_filterset(self.get_filterset_class())
            queryset = filterset.qs if filterset.is_valid() else self.get_queryset().none()
            name = export_filename(slugify(self.model._meta.verbose_name_plural), filterset)
            if self.model in FILE_EXPORTS:  # an importable list: its export is the import file
                return FILE_EXPORTS[self.model](queryset, export, name)
            respond = xlsx_response if export == "xlsx" else csv_response
            return respond(queryset, self.spec.export_columns(), name)
        return super().get(request, *args, **kwargs)

    def get_paginate_by(self, queryset):
        try:
            return min(max(int(self.request.GET.get("per_page", self.paginate_by)), 1), 200)
        except ValueError:
            return self.paginate_by

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        ordering = self.request.GET.get("ordering", "")
        ctx.update(
            columns=self.spec.list_columns(self.filterset_class),
            querystring=query.urlencode(),
            current_ordering=ordering,
            importable=self.model in FILE_EXPORTS and self.request.user.has_perm("vpportal.import_data"),
        )
        if self.bulk_fields and self.request.user.has_perm(perm_name(self.model, "change")):
            ctx.update(bulk_form=bulk_form(self), bulk_url=reverse(f"{self.url_prefix()}_bulk"))
        return ctx


class TrackedDetailView(PermissionMixin, ModelContextMixin, generic.DetailView):
    """The record's page; its field list is the spec's detail columns. Its template is the model's
    own page where there is one (Django's `<app_label>/<model_name>_detail.html`), else the generic
    record page."""

    spec: FieldSpec | None = None

    def get_template_names(self):
        return [*super().get_template_names(), "generic/object_detail.html"]

    def get_queryset(self):
        # The side card names who created and last changed the record: their Person, joined here.
        return super().get_queryset().select_related("created_by__person", "updated_by__person")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx.update(
            fields_shown=self.spec.detail_fields() if self.spec else [],
            can_change=user.has_perm(perm_name(self.model, "change"), self.object),
            can_delete=user.has_perm(perm_name(self.model, "delete"), self.object),
        )
        return ctx


class ServiceFormMixin(PermissionMixin, ModelContextMixin):
    """Create and edit forms hand cleaned data to the model's services; service errors become
    field errors and the user's input stays in the form."""

    template_name = "generic/object_form.html"

    def apply_service(self, form):  # pragma: no cover - each subclass defines it
        raise NotImplementedError

    def form_valid(self, form):
        try:
            self.object = self.apply_service(form)
        except ConflictError as error:
            form.show_conflict(error)
            return self.form_invalid(form)
        except ValidationError as error:
            _add_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{capfirst(self.model._meta.verbose_name)} “{self.object}” saved.")
        return HttpResponseRedirect(self.get_success_url())


def _add_errors(form, error: ValidationError):
    if hasattr(error, "error_dict"):
        for name, errs in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errs)
    else:
        form.add_error(None, error)


class TrackedCreateView(ServiceFormMixin, generic.CreateView):
    permission_action = "add"
    create_service = None

    def apply_service(self, form):
        return channel_service(type(self), "create")(by=self.request.user, data=form.service_data())


class TrackedUpdateView(RecordPermissionMixin, ServiceFormMixin, generic.UpdateView):
    permission_action = "change"
    update_service = None

    def apply_service(self, form):
        return channel_service(type(self), "update")(
            self.object,
            by=self.request.user,
            data=form.service_data(),
            version=form.cleaned_data.get("version"),
        )


class TrackedDeleteView(RecordPermissionMixin, PermissionMixin, ModelContextMixin, generic.DeleteView):
    permission_action = "delete"
    template_name = "generic/object_confirm_delete.html"
    delete_service = None

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user)

    def get_success_url(self):
        return reverse(f"{self.url_prefix()}_list")

    def form_valid(self, form):
        try:
            channel_service(type(self), "delete")(
                self.object, by=self.request.user, version=self.request.POST.get("version")
            )
        except ConflictError as error:
            messages.error(self.request, error.message)
            return HttpResponseRedirect(self.object.get_absolute_url())
        except ValidationError as error:
            messages.error(self.request, " ".join(error.messages))
            return HttpResponseRedirect(self.object.get_absolute_url())
        messages.success(self.request, f"{capfirst(self.model._meta.verbose_name)} “{self.object}” deleted.")
        return HttpResponseRedirect(self.get_success_url())


class RecordFormView(generic.FormView):
    """A form that runs one action service on one record, `self.object` (the page's `dispatch` reads
    it and checks the permissions): the form starts at the record's version and the page shows the
    record; a refusal re-shows the form (a ValidationError on the fields it names, a conflict or a
    refused move above them), success goes back to the record's page with `success_message()`."""

    def get_initial(self):
        return {"version": self.object.version}

    def get_context_data(self, **kwargs):
        return super().get_context_data(object=self.object, **kwargs)

    def apply_service(self, form):  # pragma: no cover - each subclass defines it
        raise NotImplementedError

    def success_message(self) -> str:  # pragma: no cover - each subclass defines it
        raise NotImplementedError

    def add_validation_errors(self, form, error: ValidationError):
        _add_errors(form, error)

    def form_valid(self, form):
        try:
            self.apply_service(form)
        except ValidationError as error:
            self.add_validation_errors(form, error)
            return self.form_invalid(form)
        except (ConflictError, TransitionError) as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message())
        return HttpResponseRedirect(self.object.get_absolute_url())


class HistoryView(PermissionMixin, ModelContextMixin, generic.TemplateView):
    """Who changed which fields of one record, when, through which channel (newest first)."""

    template_name = "generic/object_history.html"
    limit = 200

    def get_context_data(self, **kwargs):
        obj = get_object_or_404(self.model.objects.visible_to(self.request.user), pk=self.kwargs["pk"])
        if not self.request.user.has_perm("vpportal.view_history"):
            raise PermissionDenied
        records = obj.history.select_related("history_user__person").order_by("-history_date", "-history_id")
        hidden = obj.history_hidden_for(self.request.user) if hasattr(obj, "history_hidden_for") else set()
        ctx = super().get_context_data(**kwargs)
        ctx.update(object=obj, entries=audit.entries(self.model, records[: self.limit], hidden))
        return ctx


def record_pages(mixin, pages: str, *, form_class=None, filterset_class=None) -> tuple:
    """The generic pages of one model that add nothing of their own, named by `pages` (some of
    "List Create Update Delete History Bulk", in that order): a class `<Stem><Page>View` of `mixin`
    (`<Stem>ViewMixin`, in its module) and the generic page, `form_class` on the create and edit
    pages, `filterset_class` on the list. A page with code of its own stays a class of its module.

        VendorListView, VendorHistoryView = record_pages(VendorViewMixin, "List History", ...)
    """
    stem = mixin.__name__.removesuffix("ViewMixin")
    own = {"List": {"filterset_class": filterset_class}, "Create": {"form_class": form_class}}
    own["Update"] = own["Create"]
    return tuple(
        type(
            f"{stem}{page}View",
            (mixin, RECORD_PAGES[page]),
            {"__module__": mixin.__module__, **{k: v for k, v in own.get(page, {}).items() if v is not None}},
        )
        for page in pages.split()
    )


# The generic pages of a tracked model: (URL below the model's prefix, view class suffix, URL name suffix).
PAGES = (
    ("", "ListView", "list"),
    ("add/", "CreateView", "add"),
    ("<int:pk>/", "DetailView", "detail"),
    ("<int:pk>/edit/", "UpdateView", "edit"),
    ("<int:pk>/delete/", "DeleteView", "delete"),
    ("<int:pk>/history/", "HistoryView", "history"),
)


def tracked_paths(prefix: str, views, stem: str, *, omit: tuple[str, ...] = ()) -> list:
    """The URLs of a tracked model's generic pages under `prefix`: the views `<stem>ListView`,
    `<stem>CreateView`, ... `<stem>HistoryView` of the `views` module, named `<model>_list`,
    `_add`, `_detail`, `_edit`, `_delete`, `_history` (the names the templates reverse from
    `url_prefix`). `omit` leaves pages out by their name suffix ("detail")."""
    name = getattr(views, f"{stem}ListView").model._meta.model_name
    return [
        path(f"{prefix}{route}", getattr(views, f"{stem}{suffix}").as_view(), name=f"{name}_{page}")
        for route, suffix, page in PAGES
        if page not in omit
    ]


RECORD_PAGES = {
    "List": TrackedListView,
    "Detail": TrackedDetailView,
    "Create": TrackedCreateView,
    "Update": TrackedUpdateView,
    "Delete": TrackedDeleteView,
    "History": HistoryView,
    "Bulk": BulkActionView,  # POST <list>/bulk/, URL name `<model>_bulk`; the mixin names its bulk_fields
}
