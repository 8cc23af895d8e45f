"""API router of the initiatives app, merged into /api/v1/ by leadership.api_urls."""

from rest_framework.routers import SimpleRouter

from initiatives.api.portfolio import InitiativeViewSet, KPIMeasurementViewSet, KPIViewSet, MilestoneViewSet
from initiatives.api.team import (
    MentorshipSessionViewSet,
    MentorshipViewSet,
    TrainingAttendanceViewSet,
    TrainingViewSet,
)

router = SimpleRouter()
router.register("initiatives", InitiativeViewSet, basename="initiative")
router.register("milestones", MilestoneViewSet, basename="milestone")
router.register("kpis", KPIViewSet, basename="kpi")
router.register("kpi-measurements", KPIMeasurementViewSet, basename="kpimeasurement")
router.register("mentorships", MentorshipViewSet, basename="mentorship")
router.register("mentorship-sessions", MentorshipSessionViewSet, basename="mentorshipsession")
router.register("trainings", TrainingViewSet, basename="training")
router.register("training-attendance", TrainingAttendanceViewSet, basename="trainingattendance")
