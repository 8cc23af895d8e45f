"""The evidence forms: upload (metadata, the records it proves, the file), edit (metadata and
records) and a new version of the file. The records offered are the ones the user sees; the
service decides which of them the user may attach to."""

from django import forms

from vpportal.core.forms import TrackedModelForm

from . import registry
from .models import Evidence
from .services.evidence import current_links
from .specs import EVIDENCE


class RecordsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return str(obj)


class EvidenceForm(TrackedModelForm):
    """Upload (with `file`) and edit (without): one multiple choice per kind of record declared
    attachable (evidence.registry)."""

    file = forms.FileField(label="File", required=True)

    class Meta:
        model = Evidence
        fields = EVIDENCE.editable_fields()
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user=None, with_file=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not with_file:
            del self.fields["file"]
        else:
            self.fields["file"].widget.attrs.update({"class": "form-control", "data-evidence-file": ""})
        existing = current_links(self.instance) if self.instance.pk else {}
        for kind in registry.attachables():
            self.fields[kind.name] = RecordsField(
                queryset=kind.choices(user).order_by("pk"),
                required=False,
                label=str(kind.label).capitalize(),
                widget=forms.SelectMultiple(attrs={"class": "form-select", "size": 4}),
            )
            if existing.get(kind.name):
                self.initial[kind.name] = [record.pk for record in existing[kind.name]]

    def link_names(self) -> list[str]:
        return [kind.name for kind in registry.attachables()]

    def service_data(self) -> dict:
        data = super().service_data()
        for name in self.link_names():
            data[name] = list(self.cleaned_data.get(name) or [])
        return data


class ReplaceFileForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    file = forms.FileField(label="New file", widget=forms.ClearableFileInput(attrs={"class": "form-control"}))
