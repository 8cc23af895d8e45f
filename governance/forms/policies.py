from django import forms

from governance.models import Framework, Policy, PolicyVersion, Requirement
from governance.specs import FRAMEWORK, POLICY, POLICY_VERSION, REQUIREMENT
from vpportal.core.bounds import TEXT_MAX_LENGTH
from vpportal.core.forms import TrackedModelForm


class RequirementChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.framework.title} · {obj}"


class PolicyForm(TrackedModelForm):
    """Requirements on offer are the leaves (what coverage counts): NIST subcategories, EU articles."""

    requirements = RequirementChoiceField(
        queryset=Requirement.objects.none(),
        required=False,
        help_text="The framework requirements this policy addresses (hold Ctrl or ⌘ to pick several).",
        widget=forms.SelectMultiple(attrs={"size": 12}),
    )

    class Meta:
        model = Policy
        fields = POLICY.editable_fields()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requirements"].queryset = (
            Requirement.objects.leaves().select_related("framework").order_by("framework__title", "position")
        )


class PolicyVersionForm(TrackedModelForm):
    class Meta:
        model = PolicyVersion
        fields = POLICY_VERSION.editable_fields(exclude=("policy", "status"))  # the page and the workflow set them
        widgets = {"body": forms.Textarea(attrs={"rows": 18, "class": "form-control font-monospace"})}
        help_texts = {
            "body": "Markdown: headings (#), lists (-), **bold**, links. HTML is removed when shown.",
            "effective_date": "Leave empty to take effect on the day it is approved.",
        }


class RejectForm(forms.Form):
    comment = forms.CharField(
        max_length=TEXT_MAX_LENGTH,
        label="What should the author change?",
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
    )


class FrameworkForm(TrackedModelForm):
    source_url = forms.URLField(label="Source", required=False, assume_scheme="https")

    class Meta:
        model = Framework
        fields = FRAMEWORK.editable_fields()
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class RequirementForm(TrackedModelForm):
    class Meta:
        model = Requirement
        fields = REQUIREMENT.editable_fields(exclude=("framework",))  # the page's framework
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, framework=None, **kwargs):
        super().__init__(*args, **kwargs)
        framework = framework or getattr(self.instance, "framework", None)
        self.fields["parent"].queryset = Requirement.objects.filter(framework=framework)
