from django import forms
from django.core.exceptions import ValidationError

from vpportal.core.forms import TrackedModelForm

from .models import ModelSource, Webhook
from .services import clean_event_types
from .specs import MODEL_SOURCE, WEBHOOK
from .targets import check_target


class WebhookForm(TrackedModelForm):
    event_types = forms.CharField(
        label="Event types",
        help_text="Patterns separated by spaces or commas: risk.*, policy_version.approved, *.deleted, or * for all.",
    )

    class Meta:
        model = Webhook
        fields = WEBHOOK.editable_fields()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["event_types"] = " ".join(self.instance.event_types)

    # The services' own checks, run here too so every field error shows at once.
    def clean_event_types(self):
        try:
            return clean_event_types(self.cleaned_data["event_types"])
        except ValidationError as exc:
            raise forms.ValidationError(exc.message_dict["event_types"])

    def clean_url(self):
        try:
            check_target(self.cleaned_data["url"])
        except ValidationError as exc:
            raise forms.ValidationError(exc.message_dict["url"])
        return self.cleaned_data["url"]


class ModelSourceForm(TrackedModelForm):
    class Meta:
        model = ModelSource
        fields = MODEL_SOURCE.editable_fields()
