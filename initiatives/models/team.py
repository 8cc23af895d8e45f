from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from vpportal.core.bounds import at_least, not_blank, not_in_future, within
from vpportal.core.fields import optional_link
from vpportal.core.models import Tracked
from vpportal.core.private_fields import PrivateTextField
from vpportal.core.record_urls import record_url
from vpportal.permissions import private_fields_hidden_for

from ..choices import AttendanceStatus, MeetingCadence, MentorshipStatus, TrainingTopic
from ..querysets import (
    MentorshipQuerySet,
    MentorshipSessionQuerySet,
    TrainingAttendanceQuerySet,
    TrainingQuerySet,
)

# A mentoring session lasts less than a day; a training (a bootcamp) at most a week.
MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY


class Mentorship(Tracked):
    mentor = models.ForeignKey(
        "vpportal.Person", on_delete=models.PROTECT, related_name="mentorships_as_mentor", verbose_name=_("mentor")
    )
    mentee = models.ForeignKey(
        "vpportal.Person", on_delete=models.PROTECT, related_name="mentorships_as_mentee", verbose_name=_("mentee")
    )
    focus_areas = models.CharField(_("focus areas"), max_length=300, blank=True)
    goals = models.TextField(_("goals"), blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=MentorshipStatus.choices, default=MentorshipStatus.ACTIVE, db_index=True
    )
    meeting_cadence = models.CharField(
        _("meeting cadence"), max_length=16, choices=MeetingCadence.choices, default=MeetingCadence.BIWEEKLY
    )

    objects = MentorshipQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(mentor=F("mentee")), name="%(app_label)s_%(class)s_mentor_not_mentee"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="%(app_label)s_%(class)s_end_not_before_start",
            ),
        ]

    def __str__(self):
        return f"{self.mentor} → {self.mentee}"

    def clean(self):
        # The database constraints say the same; these messages name the field to fix.
        errors = {}
        if self.mentor_id and self.mentor_id == self.mentee_id:
            errors["mentee"] = _("The mentee must be someone other than the mentor.")
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end date cannot be before the start date.")
        if errors:
            raise ValidationError(errors)


def held_participant(verbose_name) -> models.ForeignKey:
    """Who took part when the session was logged: the readers of its private notes (with executives),
    whoever the mentorship's participants become later (a reassignment never opens earlier notes)."""
    return models.ForeignKey(
        "vpportal.Person", on_delete=models.PROTECT, related_name="+", editable=False, verbose_name=verbose_name
    )


class MentorshipSession(Tracked):
    """A mentoring conversation. `private_notes` are for the mentor, the mentee and executives only."""

    PRIVATE_FIELDS = ("private_notes",)

    mentorship = models.ForeignKey(
        Mentorship, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("mentorship")
    )
    held_on = models.DateField(_("held on"), db_index=True)
    duration_minutes = models.PositiveIntegerField(
        _("duration (minutes)"), default=45, validators=[MinValueValidator(1), MaxValueValidator(MINUTES_PER_DAY)]
    )
    topics = models.TextField(_("topics"), blank=True)
    action_items = models.TextField(_("action items"), blank=True)
    # Masked in SQL for everyone but the recorded participants and executives (reads via visible_to).
    private_notes = PrivateTextField(_("private notes"), blank=True, readers=("held_mentor", "held_mentee"))
    held_mentor = held_participant(_("mentor at the session"))
    held_mentee = held_participant(_("mentee at the session"))

    objects = MentorshipSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-id"]
        constraints = [
            at_least("duration_minutes", 1, name="duration_positive"),
            within("duration_minutes", 1, MINUTES_PER_DAY, name="duration_at_most_a_day"),
        ]

    def __str__(self):
        return f"Session on {self.held_on}"

    def get_absolute_url(self):
        return record_url("initiatives:mentorship_detail", self.mentorship_id) + f"#session-{self.pk}"

    def record_participants(self) -> None:
        """Record the mentorship's current mentor and mentee on a session being logged."""
        if self.mentorship_id is not None and (self.held_mentor_id is None or self.held_mentee_id is None):
            mentorship = Mentorship._base_manager.only("mentor_id", "mentee_id").get(pk=self.mentorship_id)
            self.held_mentor_id, self.held_mentee_id = mentorship.mentor_id, mentorship.mentee_id

    def save(self, *args, **kwargs):
        # The services record the participants before validating; this covers any other insert.
        if self._state.adding:
            self.record_participants()
        super().save(*args, **kwargs)

    def clean(self):
        try:
            not_in_future(self.held_on)
        except ValidationError as error:
            raise ValidationError({"held_on": _("A session cannot be dated in the future.")}) from error

    def history_hidden_for(self, user) -> frozenset[str]:
        """Fields the generic history page (and the audit trail) must mask for `user`. `self` is a
        session or one of its history rows: both carry the participants who read the notes."""
        return private_fields_hidden_for(user, self)


class Training(Tracked):
    # The API's `<relation>_display` text of this record (vpportal/core/api_relations.py).
    DISPLAY_FIELDS = ("title",)
    title = models.CharField(_("title"), max_length=200)
    topic = models.CharField(_("topic"), max_length=20, choices=TrainingTopic.choices, default=TrainingTopic.OTHER)
    audience = models.CharField(_("audience"), max_length=200, blank=True)
    held_on = models.DateField(_("held on"), db_index=True)
    duration_minutes = models.PositiveIntegerField(
        _("duration (minutes)"), default=60, validators=[MinValueValidator(1), MaxValueValidator(MINUTES_PER_WEEK)]
    )
    facilitator = optional_link("vpportal.Person", "facilitated_trainings", _("facilitator"))
    materials_url = models.URLField(_("materials URL"), blank=True)
    capacity = models.PositiveIntegerField(
        _("capacity"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Leave empty for no limit."),
    )
    counts_as_ai_literacy = models.BooleanField(_("counts as AI literacy"), default=False)

    objects = TrainingQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "id"]
        constraints = [
            not_blank("title"),
            within("duration_minutes", 1, MINUTES_PER_WEEK, name="duration_positive_at_most_a_week"),
            at_least("capacity", 1, nullable=True, name="capacity_at_least_1"),
        ]

    def __str__(self):
        return self.title


class TrainingAttendance(Tracked):
    training = models.ForeignKey(
        Training, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("training")
    )
    person = models.ForeignKey(
        "vpportal.Person", on_delete=models.CASCADE, related_name="training_attendances", verbose_name=_("person")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=AttendanceStatus.choices, default=AttendanceStatus.REGISTERED
    )

    objects = TrainingAttendanceQuerySet.as_manager()

    class Meta:
        ordering = ["training", "person__name"]
        verbose_name_plural = _("training attendance")
        constraints = [
            models.UniqueConstraint(fields=["training", "person"], name="%(app_label)s_%(class)s_unique_person"),
        ]

    def __str__(self):
        return f"{self.person} at {self.training}"

    def get_absolute_url(self):
        return record_url("initiatives:training_detail", self.training_id)
