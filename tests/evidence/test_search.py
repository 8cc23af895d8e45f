"""Evidence in the portal's search: found by title, description, original file name or SHA-256,
only by those who see one of the records it is attached to, linking to the list filtered by the
same text."""

import pytest
from django.urls import reverse

from evidence.services.evidence import evidence_create
from leadership.search import search
from tests.conftest import page_client
from tests.evidence import samples

pytestmark = pytest.mark.django_db


def upload(by, name, data, **links):
    return evidence_create(
        by=by,
        data={"title": "Quarterly bias audit", "kind": "bias_audit", "description": "Fairness of the scorer", **links},
        upload=samples.upload(name, data),
    )


def test_search_finds_evidence_by_title_file_name_and_hash(governance, auditor, risk):
    evidence = upload(governance, "zephyr-audit.pdf", samples.pdf("zephyr"), risks=[risk])
    for text in ("bias audit", "zephyr-audit", evidence.sha256[:16], "scorer"):
        groups = {group.label: group for group in search(auditor, text)}
        assert [e.pk for e in groups["Evidence"].results] == [evidence.pk], text
    body = page_client(auditor).get(reverse("search") + "?q=zephyr-audit").content.decode()
    assert "Quarterly bias audit" in body and evidence.get_absolute_url() in body
    more = page_client(auditor).get(reverse("evidence:evidence_list") + "?q=zephyr-audit").content.decode()
    assert evidence.get_absolute_url() in more  # the group's list link: the same text, the same result


def test_search_shows_evidence_only_to_readers_of_its_records(
    leader, contributor, outsider, mentorships_accept_evidence
):
    from tests.factories.team import MentorshipFactory

    mentorship = MentorshipFactory()
    upload(leader, "quokka-plan.txt", b"Mentoring goals", mentorships=[mentorship])
    assert "Evidence" not in {group.label for group in search(contributor, "quokka")}
    body = page_client(contributor).get(reverse("search") + "?q=quokka").content.decode()
    assert "Quarterly bias audit" not in body and "Nothing matches" in body
    assert page_client(outsider).get(reverse("search") + "?q=quokka").status_code == 403
    mentorship.mentee = contributor.person
    mentorship.save()
    assert [g.label for g in search(contributor, "quokka")] == ["Evidence"]
