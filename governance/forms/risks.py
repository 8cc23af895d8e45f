from django import forms

from governance.choices import IMPACT_NAMES, LIKELIHOOD_NAMES, RiskStatus
from governance.models import AISystem, Mitigation, Risk
from governance.specs import AI_SYSTEM, MITIGATION, RISK
from vpportal.core.bounds import TEXT_MAX_LENGTH
from vpportal.core.forms import TrackedModelForm


class AISystemForm(TrackedModelForm):
    class Meta:
        model = AISystem
        fields = AI_SYSTEM.editable_fields()
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in ("purpose", "intended_use", "out_of_scope_uses", "known_limitations", "evaluation_summary")
        }


class RiskForm(TrackedModelForm):
    """Status moves follow the declared workflow (the service refuses others); accepting a risk is
    its own action with a justification, so `accepted` is offered only to keep an accepted risk."""

    class Meta:
        model = Risk
        fields = RISK.editable_fields()
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        status = self.fields["status"]
        if self.instance.status != RiskStatus.ACCEPTED:
            status.choices = [c for c in status.choices if c[0] != RiskStatus.ACCEPTED]
        status.help_text = "To accept a risk, use “Accept risk” on its page (a justification is required)."
        for name in ("likelihood", "impact", "residual_likelihood", "residual_impact"):
            names = IMPACT_NAMES if name.endswith("impact") else LIKELIHOOD_NAMES
            required = self.fields[name].required
            choices = [(n, f"{n} {label}") for n, label in names.items()]
            self.fields[name] = forms.TypedChoiceField(
                label=self.fields[name].label,
                choices=choices if required else [("", "Same as before mitigation"), *choices],
                coerce=int,
                empty_value=None,
                required=required,
                help_text=self.fields[name].help_text,
                widget=forms.Select(attrs={"class": "form-select"}),
            )


class RiskAcceptForm(forms.Form):
    justification = forms.CharField(
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
        help_text="Why the organisation accepts this risk as it stands; recorded with your name and the time.",
        required=False,  # the service decides, so the page and the API say the same thing
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class MitigationForm(TrackedModelForm):
    class Meta:
        model = Mitigation
        fields = MITIGATION.editable_fields()
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["risk"].queryset = Risk.objects.order_by("key")
        self.fields["requirements"].queryset = self.fields["requirements"].queryset.select_related("framework")
        self.fields["requirements"].widget.attrs["size"] = 8
