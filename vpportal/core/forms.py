from django import forms

from .services import ConflictError


class TrackedModelForm(forms.ModelForm):
    """A ModelForm that carries the record's `version`, so a stale save is refused, not applied."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput):
                continue
            css = (
                "form-check-input"
                if isinstance(widget, forms.CheckboxInput)
                else ("form-select" if isinstance(widget, forms.Select | forms.SelectMultiple) else "form-control")
            )
            widget.attrs.setdefault("class", css)
            if isinstance(field, forms.DateField):
                widget.input_type = "date"
            _name_the_empty_choice(field)

    def service_data(self) -> dict:
        """The cleaned values a service receives: the form's model fields, nothing else."""
        return {name: value for name, value in self.cleaned_data.items() if name in self._meta.fields}

    def show_conflict(self, error: ConflictError):
        """Keep what the user typed, explain the conflict, and let a second save go through."""
        self.add_error(None, error.message)
        data = self.data.copy()
        data["version"] = error.current_version
        self.data = data


BLANK = "---------"


def _name_the_empty_choice(field):
    """Django's "---------" for a select's empty choice says nothing: "Choose one" where a value is
    required, "None" where it may stay empty."""
    label = "Choose one" if field.required else "None"
    if isinstance(field, forms.ModelChoiceField) and not isinstance(field, forms.ModelMultipleChoiceField):
        if field.empty_label == BLANK:
            field.empty_label = label
    elif isinstance(field, forms.ChoiceField) and not isinstance(field, forms.MultipleChoiceField):
        choices = list(field.choices)
        if choices and choices[0] == ("", BLANK):
            field.choices = [("", label), *choices[1:]]


class DateInput(forms.DateInput):
    input_type = "date"
