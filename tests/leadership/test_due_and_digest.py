"""What's due (one queue, overdue first, `mine`) and the reminder digest (content, at most once
per item per day, plain text and HTML)."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from leadership.digest import send_digests
from leadership.due import due_items
from tests.conftest import page_client
from tests.factories.evidence import make_evidence
from tests.factories.people import PersonFactory
from tests.factories.policies import PolicyFactory
from tests.factories.portfolio import InitiativeFactory, KPIFactory, MilestoneFactory
from tests.factories.risks import MitigationFactory, RiskFactory
from tests.factories.team import TrainingAttendanceFactory, TrainingFactory
from vpportal.people.models import Person

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def days(n):
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def queue(contributor):
    me = Person.objects.of_user(contributor)
    other = PersonFactory()
    initiative = InitiativeFactory(owner=me)
    MilestoneFactory(initiative=initiative, title="Late milestone", due_date=days(-5), status="planned")
    MilestoneFactory(initiative=initiative, title="Done milestone", due_date=days(-5), status="done")
    MitigationFactory(description="Late mitigation", owner=other, due_date=days(-2))
    MitigationFactory(description="Verified mitigation", owner=other, due_date=days(-2), status="verified")
    RiskFactory(title="Review soon", owner=me, next_review_date=days(3))
    RiskFactory(title="Closed risk", owner=me, next_review_date=days(-3), status="closed")
    PolicyFactory(title="Policy to review", owner=other).__class__.objects.filter(title="Policy to review").update(
        next_review_date=days(-1)
    )
    KPIFactory(name="Never measured", owner=me, initiative=initiative)
    training = TrainingFactory(title="Upcoming training", held_on=days(4), facilitator=other)
    TrainingAttendanceFactory(training=training, person=me)
    MilestoneFactory(initiative=initiative, title="Far away", due_date=days(60))
    return me, other


def test_the_queue_spans_every_dated_kind_overdue_first_then_by_date(queue, executive):
    items = due_items(executive)
    titles = [i.title.split(": ")[-1].split(" ", 1)[-1] if i.kind == "milestone" else i.title for i in items]
    assert {i.kind for i in items} == {"milestone", "mitigation", "risk_review", "policy_review", "kpi", "training"}
    overdue = [i.overdue for i in items]
    assert overdue == sorted(overdue, reverse=True)  # every overdue item before the others
    assert [i.due for i in items if i.overdue] == sorted(i.due for i in items if i.overdue)
    assert not {"Done milestone", "Verified mitigation", "Closed risk", "Far away"} & set(titles)


def test_mine_keeps_the_persons_own_items_and_trainings_they_attend(queue, contributor):
    me, _ = queue
    items = due_items(contributor, person=me, mine=True)
    assert {i.kind for i in items} == {"milestone", "risk_review", "kpi", "training"}
    assert all(me.pk in i.people for i in items)


def test_the_due_page_links_each_row_and_filters_mine(queue, contributor):
    client = page_client(contributor)
    body = client.get(reverse("due")).content.decode()
    assert "Late mitigation" in body and "overdue" in body
    mine = client.get(reverse("due") + "?mine=1").content.decode()
    assert "Late mitigation" not in mine and "Review soon" in mine and "Upcoming training" in mine


def test_the_due_page_is_refused_to_people_without_a_role(outsider):
    assert page_client(outsider).get(reverse("due")).status_code == 403


def test_the_due_queue_costs_the_same_queries_whatever_its_length(queue, contributor, django_assert_num_queries):
    client = page_client(contributor)
    client.get(reverse("due"))
    # session, user, roles, person, then one query per kind (trainings: one more for their seats;
    # incident reports, vendor reviews and vendor contracts one each; evidence expiry: one, its
    # visibility a subquery), + the user's and the groups' permissions (read once per request) for
    # the navigation's permission-gated entries (Import, Webhooks), added by merged branches
    with django_assert_num_queries(17):
        client.get(reverse("due"))
    for n in range(5):
        RiskFactory(next_review_date=days(-n))
        MilestoneFactory(due_date=days(n))
        TrainingAttendanceFactory(training=TrainingFactory(held_on=days(n + 1)))
        make_evidence(name=f"{n}.txt", data=f"report {n}".encode(), valid_until=days(n - 2))
    with django_assert_num_queries(17):
        client.get(reverse("due"))


def test_the_digest_emails_each_person_their_items_in_text_and_html(queue, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    me, other = queue
    result = send_digests(base="https://portal.example.com")
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert result.emails == len(mail.outbox) == 2
    mine = by_recipient[me.email]
    assert "Late milestone" in mine.body and "Review soon" in mine.body and "Upcoming training" in mine.body
    assert "Late mitigation" not in mine.body and "Far away" not in mine.body
    assert "https://portal.example.com/initiatives/" in mine.body
    html, mimetype = mine.alternatives[0]
    assert mimetype == "text/html" and '<a href="https://portal.example.com' in html
    assert "1 overdue" in mine.subject
    theirs = by_recipient[other.email]
    assert "Late mitigation" in theirs.body and "Policy to review" in theirs.body and "Upcoming training" in theirs.body


def test_running_the_digest_twice_the_same_day_sends_nothing_new(queue, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("send_digests")
    sent = len(mail.outbox)
    assert sent == 2
    call_command("send_digests")
    assert len(mail.outbox) == sent


def test_a_new_item_is_sent_alone_and_the_next_day_everything_again(queue, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    me, _ = queue
    send_digests()
    mail.outbox.clear()
    RiskFactory(title="Brand new review", owner=me, next_review_date=days(1))
    send_digests()
    assert len(mail.outbox) == 1 and "Brand new review" in mail.outbox[0].body
    assert "Late milestone" not in mail.outbox[0].body
    mail.outbox.clear()
    send_digests(today=days(1))
    assert "Late milestone" in next(m for m in mail.outbox if m.to == [me.email]).body


def test_inactive_people_and_people_without_email_get_nothing(queue, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    me, other = queue
    type(me).objects.filter(pk=other.pk).update(active=False)
    send_digests()
    assert [m.to for m in mail.outbox] == [[me.email]]


def test_the_command_counts_without_sending_on_a_dry_run(queue, settings, capsys):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("send_digests", "--dry-run")
    assert "Would send 2 digest(s)" in capsys.readouterr().out and not mail.outbox


def test_the_digest_carries_the_streams_notifications_with_the_due_items_once(queue, leader, settings):
    from integrations.dispatch import fan_out_notifications
    from integrations.models import Notification
    from tests.integrations.test_notifications import create_risk

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    me, other = queue
    risk = create_risk(leader, me)  # an event of the stream; its fan-out tells the new owner
    assert fan_out_notifications() == []  # the default preference: the digest, not at once
    result = send_digests(base="https://portal.example.com")
    mine = next(m for m in mail.outbox if m.to == [me.email])
    assert (result.emails, result.notifications) == (2, 1)
    assert f"owner of risk {risk['key']}" in mine.body and "Late milestone" in mine.body
    assert "1 overdue" in mine.subject and "1 notification" in mine.subject
    assert f"owner of risk {risk['key']}" in mine.alternatives[0][0]
    assert Notification.objects.get(recipient=me).emailed_at is not None
    mail.outbox.clear()
    assert send_digests() == type(result)()  # the same day again: nothing new, nothing sent
    assert not mail.outbox
