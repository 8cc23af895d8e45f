"""Admin base: history, permissions from the role map, and saves through the services."""

from functools import partial

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from simple_history.admin import SimpleHistoryAdmin

from vpportal.permissions import perm_name

from .services import ConflictError, TransitionError, create_record, delete_record, update_record


class TrackedAdminForm(forms.ModelForm):
    """Carries the version the administrator loaded, so a stale save is refused."""

    # Not named `version`: the admin would then ask the model form for its non-editable field.
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["loaded_version"] = self.instance.version


class ServiceRefused(Exception):
    pass


class TrackedAdmin(SimpleHistoryAdmin):
    """Model admin whose writes run the same services as the pages and the API.

    Set `create_service`, `update_service` and `delete_service` to the model's services; without
    them the generic tracked services are used (same permission, validation, concurrency, history).
    """

    form = TrackedAdminForm
    create_service = None
    update_service = None
    delete_service = None
    readonly_fields = ("created_at", "created_by", "updated_at", "updated_by")

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

    def _model_data(self, form, names):
        model_fields = {f.name for f in self.model._meta.get_fields() if getattr(f, "concrete", False)}
        return {name: form.cleaned_data[name] for name in names if name in model_fields and name in form.cleaned_data}

    def save_model(self, request, obj, form, change):
        try:
            if change:
                fresh = type(obj)._base_manager.get(pk=obj.pk)
                service = type(self).update_service or update_record
                saved = service(
                    fresh,
                    by=request.user,
                    data=self._model_data(form, form.changed_data),
                    version=form.cleaned_data.get("loaded_version"),
                )
            else:
                service = type(self).create_service or partial(create_record, self.model)
                saved = service(by=request.user, data=self._model_data(form, form.cleaned_data))
        except (ConflictError, TransitionError) as error:
            raise ServiceRefused(error.message)
        except (ValidationError, PermissionDenied) as error:
            raise ServiceRefused("; ".join(getattr(error, "messages", [str(error)])))
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
        (type(self).delete_service or delete_record)(obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)
