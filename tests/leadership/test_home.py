"""The home page's "My work" for every role: what is assigned to me, what is due, what I must
acknowledge, my mentorships and trainings; each block counts what its "see all" list shows, only
what the reader may see (never other people's mentorships for a contributor, never private notes),
and the page's queries do not grow with the rows."""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from leadership.my_work import ASSIGNED, my_work
from tests.conftest import page_client
from tests.factories.incidents import IncidentFactory, VendorFactory
from tests.factories.policies import ApprovedVersionFactory, PolicyFactory
from tests.factories.portfolio import InitiativeFactory, KPIFactory, MilestoneFactory
from tests.factories.risks import AISystemFactory, MitigationFactory, RiskFactory
from tests.factories.team import (
    MentorshipFactory,
    MentorshipSessionFactory,
    TrainingAttendanceFactory,
    TrainingFactory,
)
from tests.leadership.conftest import build_world

pytestmark = pytest.mark.django_db

ROLES = ("executive", "leader", "governance", "contributor", "auditor")


def give_work(person, n: int = 1):
    """`n` of everything `person` can be responsible for, plus what they must not see as theirs."""
    today = timezone.localdate()
    past = today - datetime.timedelta(days=5)
    for _ in range(n):
        initiative = InitiativeFactory(owner=person, stage="pilot", health="at_risk")
        InitiativeFactory(executive_sponsor=person, stage="poc")
        InitiativeFactory(owner=person, stage="retired")  # not work any more
        MilestoneFactory(initiative=initiative, due_date=past, status="in_progress")
        MilestoneFactory(initiative=initiative, due_date=today + datetime.timedelta(days=3))
        MilestoneFactory(initiative=initiative, due_date=past, status="done")
        KPIFactory(initiative=initiative, owner=person)
        AISystemFactory(owner=person)
        risk = RiskFactory(owner=person, next_review_date=past, likelihood=4, impact=4)
        RiskFactory(owner=person, status="closed")
        MitigationFactory(risk=risk, owner=person, due_date=past)
        MitigationFactory(risk=risk, owner=person, status="verified")
        IncidentFactory(owner=person, severity="high")
        IncidentFactory(owner=person, status="closed")
        ApprovedVersionFactory(policy=PolicyFactory(owner=person))  # owned, and to acknowledge
        VendorFactory(owner=person)
        as_mentor = MentorshipFactory(mentor=person)
        MentorshipSessionFactory(mentorship=as_mentor, private_notes="PRIVATE-NOTE-OF-MINE")
        MentorshipFactory(mentee=person)
        TrainingAttendanceFactory(person=person, training=TrainingFactory(held_on=today + datetime.timedelta(days=4)))
        TrainingAttendanceFactory(
            person=person, status="attended", training=TrainingFactory(held_on=today - datetime.timedelta(days=20))
        )
    # Someone else's: never in my work; another pair's mentorship with private notes.
    others = MentorshipFactory()
    MentorshipSessionFactory(mentorship=others, private_notes="PRIVATE-NOTE-OF-OTHERS")
    RiskFactory(title="Someone else's risk")


def _list_count(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["paginator"].count


def _blocks(work):
    return [*work.assigned, work.to_acknowledge, work.mentorships, work.trainings]


@pytest.mark.parametrize("role", ROLES)
def test_each_block_counts_what_its_see_all_list_shows(personas, role):
    user = personas[role]
    give_work(user.person)
    work = my_work(user)
    assert {b.key for b in work.assigned} == {kind.key for kind in ASSIGNED}
    client = page_client(user)
    for block in _blocks(work):
        assert block.count > 0, block.key
        assert _list_count(client, block.url) == block.count, (block.key, block.url)
    due = client.get(work.due.url)
    assert len(due.context["items"]) == work.due.count > 0


def test_what_is_assigned_is_what_i_own_and_still_open(contributor):
    give_work(contributor.person, n=2)
    counts = {b.key: b.count for b in my_work(contributor).assigned}
    assert counts == {
        "initiatives": 2,  # not the retired ones
        "sponsored": 2,
        "milestones": 4,  # not the done ones
        "kpis": 2,
        "ai_systems": 2,
        "risks": 2,  # not the closed ones
        "mitigations": 2,  # not the verified ones
        "incidents": 2,  # not the closed ones
        "policies": 2,
        "vendors": 2,
    }
    work = my_work(contributor)
    assert work.mentorships.count == 4 and work.trainings.count == 4 and work.to_acknowledge.count == 2
    assert [r.label.split()[0] for r in work.mentorships.rows].count("Mentor") == 2


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_my_work_on_the_home_page(personas, role):
    user = personas[role]
    give_work(user.person)
    body = page_client(user).get(reverse("home")).content.decode()
    assert 'id="my-work"' in body
    for heading in ("Due for me", "Assigned to me", "My mentorships", "My trainings", "Open risks I own"):
        assert heading in body, heading
    assert 'href="/due/?mine=1"' in body
    # Policies to acknowledge: once on the page, whatever the role (the dashboard's list is not repeated).
    assert body.count("I still have to acknowledge") == 1
    dashboard_shown = role in ("executive", "leader")
    assert ("Initiatives by stage and health" in body) is dashboard_shown


def test_a_contributor_never_sees_other_peoples_mentorships_nor_any_private_note(contributor, executive):
    give_work(contributor.person)
    others = MentorshipFactory(mentor__name="Mentor Elsewhere", mentee__name="Mentee Elsewhere")
    for user in (contributor, executive):
        body = page_client(user).get(reverse("home")).content.decode()
        assert "PRIVATE-NOTE" not in body
        if user is contributor:
            assert "Mentor Elsewhere" not in body and "Mentee Elsewhere" not in body
    work = my_work(contributor)
    assert others.pk not in {int(r.url.rstrip("/").split("/")[-1]) for r in work.mentorships.rows}
    # The executive sees every mentorship in the lists, but "my mentorships" are the own ones only.
    give_work(executive.person)
    assert my_work(executive).mentorships.count == 2


def test_nothing_assigned_reads_as_such(contributor):
    body = page_client(contributor).get(reverse("home")).content.decode()
    assert (
        "Nothing is assigned to you." in body
        and "You take part in no mentorship." in body
        and "You have a seat at no training." in body
    )
    assert "You are up to date: nothing to acknowledge." in body


def test_a_login_without_a_role_sees_only_what_the_home_always_showed(outsider):
    give_work(outsider.person)
    assert my_work(outsider) is None
    body = page_client(outsider).get(reverse("home")).content.decode()
    assert "Your account has no role yet" in body
    assert 'id="my-work"' not in body and "Assigned to me" not in body


def test_policies_i_still_have_to_acknowledge_link_to_the_list_filtered_so(contributor):
    pending = ApprovedVersionFactory(policy__title="Pending policy")
    response = page_client(contributor).get(reverse("governance:policy_list") + "?to_acknowledge=true")
    assert [p.pk for p in response.context["object_list"]] == [pending.policy.pk]
    assert page_client(contributor).get(reverse("governance:policy_list") + "?to_acknowledge=false").context[
        "paginator"
    ].count == (0)


# Per role, with every block filled: session, user, roles and person, the navigation's permission
# look-ups; My work: one statement of every count, one query per block with rows (ten kinds of
# records, policies, mentorships, trainings), the due queue (one per kind); leaders and executives
# add the dashboard (computed: the cache is cleared before each measure). Before and after the
# rows grow: the dashboard's recent activity reads one query less after, as one more kind of record
# (the policies) has a line of several records, which reads none of them.
HOME_QUERIES = {
    "executive": (41, 40),
    "leader": (43, 42),
    "governance": (31, 31),
    "contributor": (31, 31),
    "auditor": (31, 31),
    "outsider": (4, 4),
}


@pytest.mark.parametrize("role", [*ROLES, "outsider"])
def test_the_home_pages_queries_do_not_grow_with_the_rows(personas, role, django_assert_num_queries):
    user = personas[role]
    client = page_client(user)
    build_world(1)
    give_work(user.person, n=1)
    client.get(reverse("home"))  # warm caches (content types, URL names)
    before, after = HOME_QUERIES[role]
    cache.clear()
    with django_assert_num_queries(before):
        assert client.get(reverse("home")).status_code == 200
    build_world(3)
    give_work(user.person, n=4)
    cache.clear()
    with django_assert_num_queries(after):
        assert client.get(reverse("home")).status_code == 200
