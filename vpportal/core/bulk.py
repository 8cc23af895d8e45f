"""Bulk actions on a list page: the rows ticked on the page get one change (owner, status, review
date) or are exported. Each row goes through the model's update service, the one its edit page
calls, so permission, workflow rules, version bump, history and event are those of a single edit.

Rows are independent records: a row the service refuses (permission, workflow, validation, a
concurrent edit) is reported with its reason and left unchanged; the others are applied, each in
its own savepoint. All-or-nothing would let one closed risk block fixing the owner of forty others."""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.text import capfirst, slugify
from django.views import generic

from vpportal.permissions import perm_name, refusal_message

from .export import FILE_EXPORTS, csv_response, xlsx_response
from .fieldspec import ModelFromSpec
from .forms import DateInput, _name_the_empty_choice
from .services import ConflictError, TransitionError, channel_service

MAX_ROWS = 200  # a list page shows at most 200 rows (TrackedListView.get_paginate_by)
EXPORTS = ("csv", "xlsx")


class BulkForm(forms.Form):
    """The selection (`ids`) and one value per changeable field; the pressed button names the action."""

    def __init__(self, model, fields, *args, hidden_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.model, self.bulk_fields = model, tuple(fields)
        for name in self.bulk_fields:
            field = model._meta.get_field(name).formfield(required=False)
            if isinstance(field, forms.DateField):
                field.widget = DateInput()
            field.widget.attrs["class"] = (
                "form-select form-select-sm" if isinstance(field, forms.ChoiceField) else "form-control form-control-sm"
            )
            _name_the_empty_choice(field)
            # A field with a default offered it preselected and no empty choice (a risk's "Identified"
            # looked chosen): "Set status" pressed unawares would have set it on every ticked row.
            field.initial = None
            if (
                isinstance(field, forms.ChoiceField)
                and not isinstance(field, forms.ModelChoiceField)
                and not any(value == "" for value, _ in field.choices)
            ):
                field.choices = [("", "Choose one"), *field.choices]
            if name in (hidden_choices or {}):  # a value only its own action sets (accepting a risk)
                field.choices = [c for c in field.choices if c[0] not in hidden_choices[name]]
            self.fields[name] = field
        self.fields["action"] = forms.ChoiceField(choices=[(n, n) for n in (*self.bulk_fields, *EXPORTS)])

    def selected_ids(self):
        ids = []
        for value in self.data.getlist("ids"):
            try:
                ids.append(int(value))
            except (TypeError, ValueError):
                raise ValidationError("Select rows of the list.")
        if not ids:
            raise ValidationError("Select at least one row.")
        if len(ids) > MAX_ROWS:
            raise ValidationError(f"Select at most {MAX_ROWS} rows at once.")
        return sorted(set(ids))

    def clean(self):
        data = super().clean()
        try:
            data["ids"] = self.selected_ids()
        except ValidationError as error:
            self.add_error(None, error)
        action = data.get("action")
        if (
            action in self.bulk_fields
            and action not in self.errors
            and name_is_required(self.model, action)
            and data.get(action) in (None, "")
        ):
            self.add_error(action, "Choose the new value.")
        return data


def name_is_required(model, name) -> bool:
    return not model._meta.get_field(name).null


def bulk_form(view, data=None) -> BulkForm:
    return BulkForm(view.model, view.bulk_fields, data, hidden_choices=getattr(view, "bulk_hidden_choices", None))


class BulkActionView(ModelFromSpec, LoginRequiredMixin, generic.View):
    """POST <list>/bulk/ (URL name `<model>_bulk`), on a model's view mixin (spec, writes,
    bulk_fields). Exporting needs the list's view permission, changing its change one."""

    http_method_names = ["post"]
    bulk_fields: tuple[str, ...] = ()

    def post(self, request, *args, **kwargs):
        user = request.user
        action = request.POST.get("action")
        needed = "view" if action in EXPORTS else "change"
        if not user.has_perm(perm_name(self.model, needed)):
            raise PermissionDenied(refusal_message(self.model, needed))
        list_url = reverse(f"{self.url_namespace}:{self.model._meta.model_name}_list")
        back = request.POST.get("query", "").replace("\r", "").replace("\n", "")
        back_url = f"{list_url}?{back}" if back else list_url  # always this list: no open redirect
        form = bulk_form(self, request.POST)
        if not form.is_valid():
            for name, errors in form.errors.items():
                label = form.fields[name].label if name in form.fields and name not in ("__all__", "action") else None
                for error in errors:
                    messages.error(request, f"{capfirst(label)}: {error}" if label else error)
            return HttpResponseRedirect(back_url)
        ids = form.cleaned_data["ids"]
        rows = self.model.objects.visible_to(user).with_related().filter(pk__in=ids).order_by("pk")
        if action in EXPORTS:
            return self.export(rows, action)
        return self.apply(request, list(rows), ids, action, form.cleaned_data.get(action), back_url)

    def export(self, rows, fmt):
        name = f"{slugify(self.model._meta.verbose_name_plural)}-selected"
        if self.model in FILE_EXPORTS:  # the list's export: the import file
            return FILE_EXPORTS[self.model](rows, fmt, name)
        respond = xlsx_response if fmt == "xlsx" else csv_response
        return respond(rows, self.spec.export_columns(), name)

    def apply(self, request, rows, ids, field, value, back_url):
        update = channel_service(type(self), "update")
        found = {row.pk for row in rows}
        refused = [(str(pk), "not found, or not visible to you") for pk in ids if pk not in found]
        changed = 0
        for row in rows:
            try:
                with transaction.atomic():
                    update(row, by=request.user, data={field: value})
            except (PermissionDenied, ValidationError, ConflictError, TransitionError) as error:
                refused.append((str(row), reason(error)))
                continue
            changed += 1
        label = self.model._meta.get_field(field).verbose_name
        plural = self.model._meta.verbose_name if changed == 1 else self.model._meta.verbose_name_plural
        if changed:
            messages.success(request, f"{capfirst(label)} changed on {changed} {plural}.")
        for row, why in refused:
            messages.error(request, f"{row} not changed: {why}")
        return HttpResponseRedirect(back_url)


def reason(error) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(getattr(error, "message", "") or error) or "you may not change it."
