"""Demo data of team development: mentorships between demo people with sessions (private notes
included), and a training programme with attendance, some of it upcoming. Called by leadership.demo.

Written through the services as the VP (an executive, who may write private notes), so the history
of every record starts like any other.
"""

from datetime import timedelta

from django.utils import timezone

from .choices import AttendanceStatus
from .services import team as services

# mentor key, mentee key, focus areas, goals, months ago, status, cadence
MENTORSHIPS = [
    (
        "director",
        "scientist",
        "Leading ML projects, stakeholder management",
        "Lead the churn model from pilot to production and present it to the leadership team.",
        8,
        "active",
        "biweekly",
    ),
    (
        "Claude Shannon",
        "engineer",
        "MLOps, model monitoring",
        "Own the feature store's monitoring and on-call runbook.",
        5,
        "active",
        "weekly",
    ),
    (
        "John von Neumann",
        "Hedy Lamarr",
        "Experiment design, causal inference",
        "Run an A/B test end to end, from power analysis to the decision memo.",
        4,
        "active",
        "monthly",
    ),
    (
        "vp",
        "director",
        "Executive presence, portfolio strategy",
        "Build the FY portfolio review with finance.",
        14,
        "completed",
        "monthly",
    ),
    (
        "Barbara Liskov",
        "Frances Allen",
        "Data contracts, pipeline reliability",
        "Ship data contracts for the two busiest pipelines.",
        3,
        "paused",
        "ad_hoc",
    ),
]

# mentorship index, days ago, minutes, topics, action items, private notes
SESSIONS = [
    (
        0,
        70,
        45,
        "Scoping the churn pilot",
        "Write the pilot success criteria with product.",
        "Unsure about presenting to the CFO; practise the story.",
    ),
    (
        0,
        42,
        60,
        "Pilot review preparation",
        "Dry-run the review deck on Thursday.",
        "Confidence much better; ready for a lead role next cycle.",
    ),
    (
        0,
        12,
        45,
        "Handling a model incident",
        "Add a post-incident review template.",
        "Mentioned stress from on-call load; follow up with the director.",
    ),
    (
        1,
        30,
        30,
        "Monitoring metrics that matter",
        "Pick three drift metrics for the feature store.",
        "Wants to move towards platform engineering.",
    ),
    (1, 9, 30, "On-call runbook", "First draft of the runbook in the wiki.", ""),
    (
        2,
        20,
        60,
        "Power analysis",
        "Compute sample size for the pricing test.",
        "Prefers written feedback over live critique.",
    ),
    (
        3,
        200,
        60,
        "Portfolio review with finance",
        "Agree value metrics per initiative with finance.",
        "Ready to run the review alone next year.",
    ),
]

# title, topic, days from today, minutes, facilitator key, capacity, counts as AI literacy, audience
TRAININGS = [
    ("Generative AI fundamentals", "genai", -120, 120, "director", 30, True, "Everyone"),
    ("Responsible AI in practice", "responsible_ai", -45, 90, "governance", 25, True, "Everyone"),
    (
        "MLOps: from notebook to production",
        "mlops",
        -20,
        180,
        "Claude Shannon",
        15,
        False,
        "ML engineers and data scientists",
    ),
    (
        "Prompt engineering for LLM applications",
        "llm",
        -400,
        90,
        "John von Neumann",
        20,
        True,
        "Product and engineering",
    ),
    ("Generative AI fundamentals (spring cohort)", "genai", 21, 120, "director", 25, True, "Everyone"),
    ("Data privacy for ML teams", "data_privacy", 35, 60, "reviewer", 30, False, "Everyone handling personal data"),
    ("MLOps: monitoring and drift", "mlops", 50, 120, "Claude Shannon", 12, False, "ML engineers"),
]

# training index, person key, status
ATTENDANCE = [
    (0, "scientist", AttendanceStatus.ATTENDED),
    (0, "engineer", AttendanceStatus.ATTENDED),
    (0, "governance", AttendanceStatus.ATTENDED),
    (0, "Hedy Lamarr", AttendanceStatus.ATTENDED),
    (0, "Donald Knuth", AttendanceStatus.NO_SHOW),
    (1, "director", AttendanceStatus.ATTENDED),
    (1, "reviewer", AttendanceStatus.ATTENDED),
    (1, "Ruth Bader", AttendanceStatus.ATTENDED),
    (1, "Lynn Conway", AttendanceStatus.ATTENDED),
    (2, "engineer", AttendanceStatus.ATTENDED),
    (2, "Lynn Conway", AttendanceStatus.ATTENDED),
    (2, "Frances Allen", AttendanceStatus.NO_SHOW),
    (3, "Radia Perlman", AttendanceStatus.ATTENDED),  # more than 12 months ago: no longer counts
    (4, "Donald Knuth", AttendanceStatus.REGISTERED),
    (4, "Radia Perlman", AttendanceStatus.REGISTERED),
    (4, "Tim Berners-Lee", AttendanceStatus.REGISTERED),
    (5, "scientist", AttendanceStatus.REGISTERED),
    (6, "Claude Shannon", AttendanceStatus.REGISTERED),
]


def create(ctx):
    people, by = ctx["people"], ctx["users"]["vp"]
    today = timezone.localdate()
    mentorships = [
        services.mentorship_create(
            by=by,
            data={
                "mentor": people[mentor],
                "mentee": people[mentee],
                "focus_areas": focus,
                "goals": goals,
                "start_date": today - timedelta(days=30 * months),
                "end_date": today - timedelta(days=30) if status == "completed" else None,
                "status": status,
                "meeting_cadence": cadence,
            },
        )
        for mentor, mentee, focus, goals, months, status, cadence in MENTORSHIPS
    ]
    for index, days_ago, minutes, topics, actions, notes in SESSIONS:
        services.session_create(
            by=by,
            data={
                "mentorship": mentorships[index],
                "held_on": today - timedelta(days=days_ago),
                "duration_minutes": minutes,
                "topics": topics,
                "action_items": actions,
                "private_notes": notes,
            },
        )
    trainings = [
        services.training_create(
            by=by,
            data={
                "title": title,
                "topic": topic,
                "held_on": today + timedelta(days=days),
                "duration_minutes": minutes,
                "facilitator": people[facilitator],
                "capacity": capacity,
                "counts_as_ai_literacy": literacy,
                "audience": audience,
                "materials_url": "https://intranet.example.com/learning/" + topic.replace("_", "-"),
            },
        )
        for title, topic, days, minutes, facilitator, capacity, literacy, audience in TRAININGS
    ]
    for index, person, status in ATTENDANCE:
        services.attendance_create(
            by=by, data={"training": trainings[index], "person": people[person], "status": status}
        )
    ctx.update(mentorships=mentorships, trainings=trainings)
