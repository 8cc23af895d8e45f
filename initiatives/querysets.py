"""Reads of the initiatives app, shared by pages, admin, API and exports."""

from vpportal.core.models import TrackedQuerySet


class InitiativeQuerySet(TrackedQuerySet):
    search_fields = ("key", "title", "summary", "business_objective")

    def with_related(self):
        return super().with_related().select_related("owner", "executive_sponsor")


class MilestoneQuerySet(TrackedQuerySet):
    search_fields = ("title", "initiative__title", "initiative__key")

    def with_related(self):
        return super().with_related().select_related("initiative")


class KPIQuerySet(TrackedQuerySet):
    search_fields = ("name", "description", "initiative__title", "initiative__key")

    def with_related(self):
        return super().with_related().select_related("initiative", "owner")


class KPIMeasurementQuerySet(TrackedQuerySet):
    search_fields = ("source", "note")

    def with_related(self):
        return super().with_related().select_related("kpi")


class MentorshipQuerySet(TrackedQuerySet):
    search_fields = ("mentor__name", "mentee__name", "focus_areas", "goals")

    def with_related(self):
        return super().with_related().select_related("mentor", "mentee")


class MentorshipSessionQuerySet(TrackedQuerySet):
    # Never private_notes: search must not reveal them.
    search_fields = ("topics", "action_items", "mentorship__mentor__name", "mentorship__mentee__name")

    def with_related(self):
        return super().with_related().select_related("mentorship__mentor", "mentorship__mentee")


class TrainingQuerySet(TrackedQuerySet):
    search_fields = ("title", "audience")

    def with_related(self):
        return super().with_related().select_related("facilitator")


class TrainingAttendanceQuerySet(TrackedQuerySet):
    search_fields = ("person__name", "training__title")

    def with_related(self):
        return super().with_related().select_related("training", "person")
