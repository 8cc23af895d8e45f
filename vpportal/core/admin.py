"""Admin base: history, permissions from the role map, and saves through the services."""

from dataclasses import dataclass
from functools import partial

from django import forms
from django.contrib import messages
from django.contrib.admin.options import IS_POPUP_VAR, ModelAdmin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpResponseRedirect
from simple_history.admin import SimpleHistoryAdmin

from vpportal.permissions import perm_name

from .private_fields import reaches_private_field
from .services import ConflictError, TransitionError, channel_service, create_record, delete_record, update_record

MSG_STALE_ROW = (
    "Someone else changed this record since you opened it (it is now at version {current}). What you "
    "typed is kept below: saving again overwrites their change; reload the page to see it first."
)


class VersionField(forms.IntegerField):
    """The version a form was loaded with. Never a change by itself: an inline row whose only
    difference is this hidden value is not written (nor its version bumped)."""

    widget = forms.HiddenInput

    def has_changed(self, initial, data):
        return False


class TrackedAdminForm(forms.ModelForm):
    """Carries the version the administrator loaded, so a stale save is refused. Used by change
    forms and inline rows alike (`TrackedInline`): a stale row is a form error, so the admin shows
    the page again with everything the user typed; the service's conditional update still refuses
    a write that loses the race after this check."""

    # Not named `version`: the admin would then ask the model form for its non-editable field.
    loaded_version = VersionField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["loaded_version"] = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.has_changed():
            self.check_version()
        return cleaned

    def check_version(self):
        """Refuse a row changed (or deleted) since it was loaded; the next save overwrites deliberately."""
        loaded = self.cleaned_data.get("loaded_version")
        if not self.instance.pk or loaded is None:
            return
        model = type(self.instance)
        current = model._base_manager.filter(pk=self.instance.pk).values_list("version", flat=True).first()
        if current is not None and current != loaded:
            self.data = self.data.copy()
            self.data[self.add_prefix("loaded_version")] = current
            raise forms.ValidationError(MSG_STALE_ROW.format(current=current), code="stale")


class TrackedInlineFormSet(BaseInlineFormSet):
    """A formset ignores the errors of rows marked for deletion: their version is checked here."""

    def clean(self):
        super().clean()
        for form in self.deleted_forms:
            if form.instance.pk and hasattr(form, "check_version"):
                form.check_version()


class TrackedInline:
    """Mixin of every inline of a tracked model: rows carry their version (see TrackedAdminForm),
    and the admin's `ServiceInlineMixin` hands it to the update and delete services."""

    form = TrackedAdminForm
    formset = TrackedInlineFormSet

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        return fields if "loaded_version" in fields else [*fields, "loaded_version"]


def _names_private(model, name) -> bool:
    return isinstance(name, str) and reaches_private_field(model, name)


class ServiceRefused(Exception):
    """A save the services refused (the admin's transaction rolls back; the page says why)."""

    @classmethod
    def of(cls, error) -> "ServiceRefused":
        if isinstance(error, (ConflictError, TransitionError)):
            return cls(error.message)
        return cls("; ".join(getattr(error, "messages", [str(error)])))


def refusal(error) -> str:
    """What the user reads when a service refuses: a transition's reasons with their details, a
    conflict's message, a validation's or permission's messages."""
    if isinstance(error, TransitionError):
        return " ".join([error.message, *error.details])
    if isinstance(error, ConflictError):
        return error.message
    return " ".join(getattr(error, "messages", [])) or str(error)


@dataclass(frozen=True)
class RecordAction:
    """An admin action that runs one service on each selected record, `run(record, by=user)`, and
    reports each refusal with its reason and the number done (`done` formats `n`). Declared in a
    model admin's `record_actions`; offered to users who may `permission` the model (None: to
    everyone who sees the list; the service checks each record either way), the records read with
    `related` joined. `moves()` makes one per workflow state."""

    name: str
    description: str
    run: object
    done: str = "{n} record(s) done."
    permission: str | None = "change"
    related: tuple = ()

    def __call__(self, modeladmin, request, queryset, **kwargs):
        done = 0
        for record in queryset.select_related(*self.related) if self.related else queryset:
            try:
                self.run(record, by=request.user, **kwargs)
            except (TransitionError, ConflictError, PermissionDenied, ValidationError) as error:
                modeladmin.message_user(request, f"{record}: {refusal(error)}", messages.ERROR)
            else:
                done += 1
        if done:
            modeladmin.message_user(request, self.done.format(n=done), messages.SUCCESS)

    @classmethod
    def moves(cls, states, move, *, description: str, done: str) -> tuple["RecordAction", ...]:
        """One `move_to_<state>` action per choice of `states` (a Django choices enum), running
        `move(record, state, by=user)`; `description` and `done` may name `{label}` (and `done`
        `{n}`)."""
        return tuple(
            cls(
                name=f"move_to_{state.value}",
                description=description.format(label=state.label),
                run=partial(_move_to, move, state.value),
                done=done.replace("{label}", str(state.label)),
            )
            for state in states
        )


def _move_to(move, state, record, *, by):
    return move(record, state, by=by)


class TrackedAdmin(SimpleHistoryAdmin):
    """Model admin whose writes run the same services as the pages and the API.

    Set `writes` to the model's Writes (or `create_service`, `update_service` and
    `delete_service` one by one); without them the generic tracked services are used (same permission, validation, concurrency, history).
    """

    form = TrackedAdminForm
    writes = None
    create_service = None
    update_service = None
    delete_service = None
    readonly_fields = ("created_at", "created_by", "updated_at", "updated_by")
    record_actions: tuple[RecordAction, ...] = ()  # actions through services (RecordAction)
    spec = None  # the model's FieldSpec: the change list's columns and joins come from it

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        if self.spec is not None and self.list_display == ModelAdmin.list_display:
            own = {
                name
                for cls in type(self).__mro__[: type(self).__mro__.index(TrackedAdmin)]
                for name, value in vars(cls).items()
                if callable(value)
            }
            self.list_display = self.spec.admin_columns(own=own)
            if self.list_select_related is False:
                self.list_select_related = self.spec.relations(self.list_display)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if self.actions is None or IS_POPUP_VAR in request.GET:
            return actions
        for action in self.record_actions:
            if action.permission is None or self._perm(request, action.permission):
                actions[action.name] = (action, action.name, action.description)
        return actions

    def _perm(self, request, action, obj=None):
        return request.user.has_perm(perm_name(self.model, action), obj)

    def has_view_permission(self, request, obj=None):
        return self._perm(request, "view", obj)

    def has_add_permission(self, request, *args):
        return self._perm(request, "add")

    def has_change_permission(self, request, obj=None):
        return self._perm(request, "change", obj)

    def has_delete_permission(self, request, obj=None):
        return self._perm(request, "delete", obj)

    def has_module_permission(self, request):
        return self._perm(request, "view")

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.visible_to(request.user) if hasattr(queryset, "visible_to") else queryset

    def lookup_allowed(self, lookup, value, request=None):
        # A URL filter on a restricted column (`?private_notes__regex=^A`) would answer, by the
        # number of rows, what the column holds: refused (400) for every lookup, whoever asks.
        if reaches_private_field(self.model, lookup):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_search_fields(self, request):
        # Belt and braces: a search field on a restricted column would be the same oracle.
        return [f for f in super().get_search_fields(request) if not reaches_private_field(self.model, f)]

    def get_sortable_by(self, request):
        return [f for f in super().get_sortable_by(request) if not _names_private(self.model, f)]

    def get_ordering(self, request):
        return [f for f in super().get_ordering(request) if not reaches_private_field(self.model, str(f))]

    def _refuse_history_of_hidden(self, request, object_id):
        """The history of a record the user does not see (kept or deleted) does not exist for them:
        simple-history would otherwise fall back to the last history row of a record outside
        `get_queryset`."""
        restricted = getattr(self.model._default_manager.all(), "restricted_ids_for", None)
        if restricted is None or restricted(request.user) is None:
            return
        try:
            visible = self.get_queryset(request).filter(pk=unquote(object_id)).exists()
        except (ValueError, ValidationError):
            visible = False
        if not visible:
            raise Http404

    def history_view(self, request, object_id, extra_context=None):
        self._refuse_history_of_hidden(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._refuse_history_of_hidden(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def _model_data(self, form, names):
        model_fields = {f.name for f in self.model._meta.get_fields() if getattr(f, "concrete", False)}
        return {name: form.cleaned_data[name] for name in names if name in model_fields and name in form.cleaned_data}

    def save_model(self, request, obj, form, change):
        if change and not form.changed_data:
            # Only inline rows changed: the record itself is not written (nor its version bumped).
            return
        try:
            if change:
                fresh = type(obj)._base_manager.get(pk=obj.pk)
                service = channel_service(type(self), "update") or update_record
                saved = service(
                    fresh,
                    by=request.user,
                    data=self._model_data(form, form.changed_data),
                    version=form.cleaned_data.get("loaded_version"),
                )
            else:
                service = channel_service(type(self), "create") or partial(create_record, self.model)
                saved = service(by=request.user, data=self._model_data(form, form.cleaned_data))
        except (ConflictError, TransitionError, ValidationError, PermissionDenied) as error:
            raise ServiceRefused.of(error) from error
        obj.pk, obj.version = saved.pk, saved.version

    def save_related(self, request, form, formsets, change):
        # Many-to-many values went through the service with the other fields.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceRefused as error:
            # The admin's transaction rolled back: nothing was written.
            messages.error(request, f"Not saved: {error}")
            return HttpResponseRedirect(request.get_full_path())

    # "Import" on the importable models' change lists: the portal's admin site (leadership.admin)
    # adds the import page and tells the template which models have one.
    change_list_template = "admin/tracked_change_list.html"

    def delete_model(self, request, obj):
        (channel_service(type(self), "delete") or delete_record)(obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


class ReadOnlyAdmin(ModelAdmin):
    """A model only its own flows write (a sync, a delivery log): every field read-only, shown to
    whoever may view the model, never added, changed or deleted here."""

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        self.readonly_fields = [f.name for f in model._meta.fields]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(perm_name(self.model, "view"))

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
