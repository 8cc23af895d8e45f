from django import forms

from governance.models import AISystem, Incident, Mitigation, Risk, Vendor
from governance.models.vendors import country_name
from governance.specs import INCIDENT, VENDOR
from vpportal.core.bounds import EARLIEST_DATE, LATEST_DATE, not_in_future
from vpportal.core.forms import TrackedModelForm

DATETIME = {"type": "datetime-local"}


class IncidentForm(TrackedModelForm):
    """The status moves through the workflow's actions and the report has its own action, so neither
    is a field here (the page's buttons and the report form set them)."""

    class Meta:
        model = Incident
        fields = INCIDENT.editable_fields(exclude=("status",))
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "root_cause": forms.Textarea(attrs={"rows": 3}),
            "lessons_learned": forms.Textarea(attrs={"rows": 3}),
            "occurred_at": forms.DateTimeInput(attrs=DATETIME, format="%Y-%m-%dT%H:%M"),
            "detected_at": forms.DateTimeInput(attrs=DATETIME, format="%Y-%m-%dT%H:%M"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ai_systems"].queryset = AISystem.objects.order_by("name")
        self.fields["risks"].queryset = Risk.objects.order_by("key")
        self.fields["mitigations"].queryset = Mitigation.objects.select_related("risk").order_by("risk__key", "id")
        for name in ("ai_systems", "risks", "mitigations"):
            self.fields[name].widget.attrs["size"] = 6


class IncidentReportForm(forms.Form):
    reported_at = forms.DateTimeField(
        label="Reported at",
        required=False,
        widget=forms.DateTimeInput(attrs={**DATETIME, "class": "form-control"}, format="%Y-%m-%dT%H:%M"),
        help_text="When the market surveillance authority was notified (now if left empty).",
    )
    authority_reference = forms.CharField(
        label="Authority reference",
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean_reported_at(self):
        value = self.cleaned_data.get("reported_at")
        if value is not None:
            if not EARLIEST_DATE <= value.date() <= LATEST_DATE:
                raise forms.ValidationError(
                    f"Enter a date between {EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}."
                )
            not_in_future(value)  # the service says it too; the form keeps the input with the error
        return value


class IncidentTransitionForm(forms.Form):
    status = forms.CharField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class CountryCodesField(forms.MultipleChoiceField):
    """ISO 3166-1 alpha-2 codes from pycountry's list, shown with country names."""

    def __init__(self, **kwargs):
        import pycountry

        choices = sorted(
            ((c.alpha_2, f"{country_name(c.alpha_2)} ({c.alpha_2})") for c in pycountry.countries),
            key=lambda choice: choice[1],
        )
        super().__init__(choices=choices, **kwargs)


class HttpsURLField(forms.URLField):
    """A URL typed without a scheme is read as https (Django 6's default)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("assume_scheme", "https")
        super().__init__(**kwargs)


class VendorForm(TrackedModelForm):
    data_locations = CountryCodesField(
        required=False,
        label="Data locations",
        help_text="Countries where the vendor keeps or processes our data (hold Ctrl or ⌘ to pick several).",
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    class Meta:
        model = Vendor
        fields = VENDOR.editable_fields()
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}
        field_classes = {"website": HttpsURLField}
