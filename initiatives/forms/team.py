"""Forms of team development pages. They shape input; the services decide (see services/team.py)."""

from django import forms

from vpportal.core.forms import TrackedModelForm
from vpportal.people.models import Person
from vpportal.permissions import can_view_private_notes

from ..choices import AttendanceStatus
from ..models import Mentorship, MentorshipSession, Training
from ..specs import MENTORSHIP, SESSION, TRAINING


class MentorshipForm(TrackedModelForm):
    class Meta:
        model = Mentorship
        fields = MENTORSHIP.editable_fields()
        widgets = {"goals": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        people = Person.objects.order_by("name")
        self.fields["mentor"].queryset = people
        self.fields["mentee"].queryset = people
        if self.instance.pk and user is not None and not user.has_perm("initiatives.reassign_mentorship"):
            # A participant edits the content of their mentorship, not who is in it.
            for name in ("mentor", "mentee"):
                self.fields[name].disabled = True
                self.fields[name].help_text = "Only leaders and executives change who mentors whom."
        elif self.instance.pk and self.instance.sessions.exists():
            # With sessions logged, changing who takes part is a reassignment (its own page).
            for name in ("mentor", "mentee"):
                self.fields[name].disabled = True
                self.fields[name].help_text = "This mentorship has sessions: use “Reassign” to change this."


class MentorshipReassignForm(TrackedModelForm):
    """Another mentor and/or mentee for a mentorship (services.team.mentorship_reassign decides)."""

    class Meta:
        model = Mentorship
        fields = ["mentor", "mentee"]
        help_texts = {"mentor": "Earlier sessions' private notes stay with the people who took part in them."}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        people = Person.objects.order_by("name")
        self.fields["mentor"].queryset = people
        self.fields["mentee"].queryset = people


class MentorshipSessionForm(TrackedModelForm):
    """`private_notes` is only a field for those who may read it (the mentor, the mentee, executives):
    anyone else can neither see nor overwrite the notes."""

    class Meta:
        model = MentorshipSession
        fields = SESSION.editable_fields(exclude=("mentorship",))  # the session's mentorship is the page's
        widgets = {
            "topics": forms.Textarea(attrs={"rows": 3}),
            "action_items": forms.Textarea(attrs={"rows": 3}),
            "private_notes": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {"private_notes": "Only the mentor, the mentee and executives can read these."}

    def __init__(self, *args, user=None, mentorship=None, **kwargs):
        super().__init__(*args, **kwargs)
        session = self.instance if self.instance.pk else MentorshipSession(mentorship=mentorship)
        if not can_view_private_notes(user, session):
            del self.fields["private_notes"]


class TrainingForm(TrackedModelForm):
    materials_url = forms.URLField(label="Materials URL", required=False, assume_scheme="https")

    class Meta:
        model = Training
        fields = TRAINING.editable_fields()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facilitator"].queryset = Person.objects.order_by("name")


class AttendanceMarkForm(forms.Form):
    status = forms.ChoiceField(choices=AttendanceStatus.choices)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
