"""Writes of the initiatives app, one module per area: `portfolio` (initiatives, milestones, KPIs,
measurements, stage transitions) and `team` (mentorships, trainings)."""
