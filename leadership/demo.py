"""Demo data for `make run`: people, one login per role, and each app's records.

Each area has a demo module with `create(ctx)`, listed in DEMO_MODULES in the order they build on
each other; they share `ctx` (the people and users made here, plus what earlier modules add to it).
Running it twice changes nothing. On the top floor because it fills every app.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from governance import demo_evidence, demo_incidents, demo_policies, demo_risks
from initiatives import demo_portfolio, demo_team
from vpportal.people.models import Person

DEMO_PASSWORD = "vp-portal-demo"
DEMO_MODULES = (demo_portfolio, demo_policies, demo_risks, demo_incidents, demo_team, demo_evidence)
MARKER_EMAIL = "ada.lovelace@example.com"

# username, role, person name, title, function, career level, manager username
DEMO_LOGINS = [
    ("vp", "executive", "Ada Lovelace", "VP of AI/ML", "executive", "vp", None),
    ("director", "leader", "Grace Hopper", "Director, Applied ML", "data_science", "director", "vp"),
    ("governance", "governance", "Alan Turing", "Head of AI Governance", "compliance", "director", "vp"),
    ("reviewer", "governance", "Joan Clarke", "AI Risk Officer", "risk", "principal", "governance"),
    ("scientist", "contributor", "Katherine Johnson", "Senior Data Scientist", "data_science", "senior", "director"),
    ("engineer", "contributor", "Margaret Hamilton", "ML Engineer", "ml_engineering", "engineer_2", "director"),
    ("auditor", "auditor", "Edsger Dijkstra", "Internal Auditor", "risk", "principal", None),
]

# name, title, function, career level, manager username
DEMO_PEOPLE = [
    ("Claude Shannon", "Lead ML Engineer", "ml_engineering", "lead", "director"),
    ("John von Neumann", "Principal Data Scientist", "data_science", "principal", "director"),
    ("Barbara Liskov", "Data Engineering Manager", "data_engineering", "manager", "vp"),
    ("Frances Allen", "Data Engineer", "data_engineering", "engineer_2", None),
    ("Donald Knuth", "Product Manager, AI", "product", "senior", None),
    ("Radia Perlman", "Finance Business Partner", "finance", "senior", None),
    ("Tim Berners-Lee", "CTO Office Architect", "technology", "principal", None),
    ("Ruth Bader", "Senior Counsel, Technology", "legal", "senior", None),
    ("Hedy Lamarr", "Data Scientist", "data_science", "engineer_1", "director"),
    ("Lynn Conway", "ML Engineer", "ml_engineering", "engineer_1", "director"),
]


def _email(name):
    return name.lower().replace(" ", ".").replace("-", "") + "@example.com"


def _person(admin, name, title, function, level, manager, user=None):
    return Person.objects.create(
        user=user,
        name=name,
        email=_email(name),
        title=title,
        function=function,
        career_level=level,
        manager=manager,
        created_by=admin,
        updated_by=admin,
    )


@transaction.atomic
def create_demo(stdout=None) -> dict:
    User = get_user_model()
    if Person.objects.filter(email=MARKER_EMAIL).exists():
        return {"created": False}
    users, people = {}, {}
    admin, created = User.objects.get_or_create(
        username="admin", defaults={"email": "admin@example.com", "is_staff": True, "is_superuser": True}
    )
    if created:
        admin.set_password(DEMO_PASSWORD)
        admin.save()
    for username, role, name, title, function, level, manager in DEMO_LOGINS:
        user, _ = User.objects.get_or_create(
            username=username, defaults={"email": _email(name), "is_staff": role in ("executive", "governance")}
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.add(Group.objects.get(name=role))
        users[username] = user
        people[username] = _person(admin, name, title, function, level, people.get(manager), user=user)
    for name, title, function, level, manager in DEMO_PEOPLE:
        people[name] = _person(admin, name, title, function, level, people.get(manager))
    ctx = {"users": users, "people": people, "admin": admin, "created": True}
    for module in DEMO_MODULES:
        module.create(ctx)
    return ctx
