"""The data migration records, on every session logged before it (and on its history rows), the
mentorship's mentor and mentee: the readers of its notes from then on."""

import datetime

BEFORE = ("initiatives", "0004_initiative_uses_ai")
AFTER = ("initiatives", "0006_session_held_participants_required")


def test_existing_sessions_and_their_history_get_the_current_participants(migrator):
    apps = migrator.to([BEFORE])
    Person = apps.get_model("vpportal", "Person")
    Mentorship = apps.get_model("initiatives", "Mentorship")
    Session = apps.get_model("initiatives", "MentorshipSession")
    History = apps.get_model("initiatives", "HistoricalMentorshipSession")
    mentor = Person.objects.create(name="Old Mentor", email="old-mentor@example.com")
    mentee = Person.objects.create(name="Old Mentee", email="old-mentee@example.com")
    pair = Mentorship.objects.create(mentor=mentor, mentee=mentee, start_date=datetime.date(2024, 1, 1))
    session = Session.objects.create(mentorship=pair, held_on=datetime.date(2024, 2, 1), private_notes="n")
    History.objects.create(
        id=session.pk,
        mentorship_id=pair.pk,
        held_on=session.held_on,
        duration_minutes=45,
        private_notes="n",
        version=1,
        history_date=datetime.datetime(2024, 2, 1, tzinfo=datetime.UTC),
        history_type="+",
        created_at=datetime.datetime(2024, 2, 1, tzinfo=datetime.UTC),
        updated_at=datetime.datetime(2024, 2, 1, tzinfo=datetime.UTC),
    )
    apps = migrator.to([AFTER])
    Session = apps.get_model("initiatives", "MentorshipSession")
    History = apps.get_model("initiatives", "HistoricalMentorshipSession")
    assert Session.objects.values_list("held_mentor_id", "held_mentee_id").get() == (mentor.pk, mentee.pk)
    assert History.objects.values_list("held_mentor_id", "held_mentee_id").get() == (mentor.pk, mentee.pk)
