"""Portfolio forms: they shape input for the services and carry the record's version."""

from django import forms
from django.core.exceptions import ValidationError

from vpportal.core.bounds import TEXT_MAX_LENGTH
from vpportal.core.forms import TrackedModelForm
from vpportal.people.choices import Function
from vpportal.people.models import Person

from ..choices import Stage
from ..models import KPI, Initiative, KPIMeasurement, Milestone
from ..services.portfolio import CREATE_STAGES, StageMove, check_initiative_dates, stage_label, stage_moves
from ..specs import INITIATIVE, KPI_SPEC, MEASUREMENT, MILESTONE


class InitiativeForm(TrackedModelForm):
    partner_functions = forms.MultipleChoiceField(
        choices=Function.choices,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text="The functions that work with the team on it (hold Ctrl or ⌘ to pick several).",
    )
    tags = forms.CharField(required=False, help_text="Comma-separated, e.g. genai, customer-service.")

    class Meta:
        model = Initiative
        fields = INITIATIVE.editable_fields()
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "business_objective": forms.Textarea(attrs={"rows": 2}),
            "value_hypothesis": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        people = Person.objects.filter(active=True).order_by("name")
        self.fields["owner"].queryset = people
        self.fields["executive_sponsor"].queryset = people
        if self.instance.pk:
            # The stage changes only through a transition (the gate), never by editing.
            del self.fields["stage"]
            if not self.is_bound:
                self.initial["tags"] = ", ".join(self.instance.tags or [])
        else:
            self.fields["stage"].choices = [(s, stage_label(s)) for s in CREATE_STAGES]
            self.fields["stage"].help_text = "Pilot and production are reached through the stage gate."

    def clean_tags(self):
        return [tag.strip() for tag in self.cleaned_data["tags"].split(",") if tag.strip()]

    def clean(self):
        cleaned = super().clean()
        try:
            check_initiative_dates(cleaned.get("start_date"), cleaned.get("target_date"))
        except ValidationError as error:
            self.add_error(None, error)
        return cleaned


def _move_choice_label(move: StageMove) -> str:
    if move.needs_override:
        return f"{move.label} (the gate fails: override with a justification)"
    if move.failed_checks:
        return f"{move.label} (blocked by the stage gate)"
    return move.label


class TransitionForm(forms.Form):
    """The declared moves from the initiative's stage as the user sees them (services.stage_moves).

    A move the gate blocks stays in the list, marked, so that trying it lists each failed check;
    the override justification appears exactly when the user may override a failing gate.
    """

    stage = forms.ChoiceField(choices=Stage.choices, label="Move to")
    override_justification = forms.CharField(
        max_length=TEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        label="Override justification (executives)",
        help_text="Only needed to move past failed gate checks; it is recorded on the initiative with the "
        "checks that failed.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, initiative=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.moves = stage_moves(initiative, user) if initiative is not None and user is not None else []
        if initiative is not None:
            self.fields["stage"].choices = [(move.stage, _move_choice_label(move)) for move in self.moves]
            self.initial.setdefault("version", initiative.version)
        self.fields["stage"].widget.attrs["class"] = "form-select"
        if not any(move.needs_override for move in self.moves):
            del self.fields["override_justification"]


class MilestoneForm(TrackedModelForm):
    class Meta:
        model = Milestone
        fields = MILESTONE.editable_fields()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["initiative"].queryset = Initiative.objects.order_by("key")


class KPIForm(TrackedModelForm):
    class Meta:
        model = KPI
        fields = KPI_SPEC.editable_fields()
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "target": "The value that counts as meeting the goal (green).",
            "warning_threshold": "Between it and the target the KPI is amber; beyond it, red.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["initiative"].queryset = Initiative.objects.order_by("key")
        self.fields["owner"].queryset = Person.objects.filter(active=True).order_by("name")


class MeasurementForm(TrackedModelForm):
    observed_at = forms.DateTimeField(
        label="Observed at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    class Meta:
        model = KPIMeasurement
        fields = MEASUREMENT.editable_fields(exclude=("kpi",))  # the KPI is the page's
        widgets = {"note": forms.TextInput()}
