"""Initiatives app models: the portfolio (initiatives, milestones, KPIs, measurements) and the
team-development module (mentorships, sessions, trainings, attendance)."""

from .portfolio import KPI, Initiative, KPIMeasurement, Milestone
from .team import Mentorship, MentorshipSession, Training, TrainingAttendance

__all__ = [
    "Initiative",
    "Milestone",
    "KPI",
    "KPIMeasurement",
    "Mentorship",
    "MentorshipSession",
    "Training",
    "TrainingAttendance",
]
