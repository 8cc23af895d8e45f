"""Admin of team development; saves go through the same services as pages and API (TrackedAdmin).

Private session notes stay private here too: the change form has no notes field for those who may
not read them, the list and search never touch them, and both history pages (the list of changes
and the form of one past version) mask them.
"""

import dataclasses

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db import models
from simple_history.template_utils import HistoricalRecordContextHelper

from vpportal.core.admin import TrackedAdmin
from vpportal.core.audit import HIDDEN
from vpportal.permissions import can_view_private_notes, private_fields_hidden_for

from ..models import Mentorship, MentorshipSession, Training, TrainingAttendance
from ..services import team as services
from ..specs import ATTENDANCE, MENTORSHIP, SESSION, TRAINING


@admin.register(Mentorship)
class MentorshipAdmin(TrackedAdmin):
    spec = MENTORSHIP
    list_filter = ("status", "meeting_cadence")
    search_fields = ("mentor__name", "mentee__name", "focus_areas")
    list_select_related = ("mentor", "mentee")
    autocomplete_fields = ("mentor", "mentee")
    writes = services.MENTORSHIP_WRITES


class _MaskedHistoryHelper(HistoricalRecordContextHelper):
    """Shows that a hidden field changed, never its values."""

    def __init__(self, model, historical_record, hidden_fields):
        super().__init__(model, historical_record)
        self.hidden_fields = hidden_fields

    def format_delta_change(self, change):
        formatted = super().format_delta_change(change)
        if change.field in self.hidden_fields:
            # One placeholder, empty or not: neither the text nor its emptiness shows.
            return dataclasses.replace(formatted, old=HIDDEN, new=HIDDEN)
        return formatted


@admin.register(MentorshipSession)
class MentorshipSessionAdmin(TrackedAdmin):
    spec = SESSION
    list_filter = ("held_on",)
    # Never private_notes (search would reveal them one guess at a time).
    search_fields = ("topics", "action_items", "mentorship__mentor__name", "mentorship__mentee__name")
    list_select_related = ("mentorship__mentor", "mentorship__mentee")
    autocomplete_fields = ("mentorship",)
    date_hierarchy = "held_on"
    writes = services.SESSION_WRITES

    def get_queryset(self, request):
        # visible_to already joins the mentorship (for the notes rule), and the changelist applies
        # list_select_related only to a queryset without any join: join the people here.
        return super().get_queryset(request).select_related(*self.list_select_related)

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        # A new session (obj None) has no participants yet: only executives get the field there.
        if not can_view_private_notes(request.user, obj):
            fields = [name for name in fields if name != "private_notes"]
        return fields

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or ())
        if not can_view_private_notes(request.user, obj):
            exclude.append("private_notes")
        return exclude

    def history_view(self, request, object_id, extra_context=None):
        session = MentorshipSession._base_manager.select_related("mentorship").filter(pk=unquote(object_id)).first()
        # A deleted session (None) is answered for executives only, like a new one.
        request._vp_history_hidden = private_fields_hidden_for(request.user, session)
        return super().history_view(request, object_id, extra_context)

    def get_historical_record_context_helper(self, request, historical_record):
        hidden = getattr(request, "_vp_history_hidden", frozenset({"private_notes"}))
        return _MaskedHistoryHelper(self.model, historical_record, hidden)


@admin.register(Training)
class TrainingAdmin(TrackedAdmin):
    spec = TRAINING
    list_filter = ("topic", "counts_as_ai_literacy")
    search_fields = ("title", "audience")
    autocomplete_fields = ("facilitator",)
    date_hierarchy = "held_on"
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    writes = services.TRAINING_WRITES


@admin.register(TrainingAttendance)
class TrainingAttendanceAdmin(TrackedAdmin):
    spec = ATTENDANCE
    list_filter = ("status", "training__counts_as_ai_literacy")
    search_fields = ("person__name", "training__title")
    autocomplete_fields = ("person", "training")
    writes = services.ATTENDANCE_WRITES
