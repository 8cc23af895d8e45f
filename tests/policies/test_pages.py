"""Policy and framework pages: each role sees and does what PRODUCT.md says, through the same services."""

import pytest
from django.urls import reverse

from governance.models import Policy, PolicyVersion
from governance.services import policies as services
from tests.conftest import PERSONAS, page_client
from tests.factories.policies import ApprovedVersionFactory, FrameworkFactory, PolicyFactory, PolicyVersionFactory

pytestmark = pytest.mark.django_db

READERS = ("executive", "leader", "governance", "contributor", "auditor")
WRITERS = ("executive", "governance")


@pytest.mark.parametrize("role", PERSONAS)
def test_every_role_reads_policy_and_framework_pages_an_outsider_none(personas, role):
    version = ApprovedVersionFactory()
    client = page_client(personas[role])
    expected = 200 if role in READERS else 403
    urls = [
        reverse("governance:policy_list"),
        version.policy.get_absolute_url(),
        version.get_absolute_url(),
        reverse("governance:policy_diff", args=[version.policy.pk]),
        reverse("governance:policyversion_list"),
        reverse("governance:policy_history", args=[version.policy.pk]),
        reverse("governance:policyversion_history", args=[version.pk]),
        reverse("governance:framework_history", args=[FrameworkFactory().pk]),
        reverse("governance:framework_list"),
        reverse("governance:framework_detail", args=[FrameworkFactory().pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == expected, url


def test_anonymous_is_sent_to_login():
    for name in ("governance:policy_list", "governance:framework_list"):
        response = page_client().get(reverse(name))
        assert response.status_code == 302 and reverse("account_login") in response["Location"]


@pytest.mark.parametrize("role", PERSONAS)
def test_only_governance_and_executives_create_policies(personas, role):
    client = page_client(personas[role])
    assert client.get(reverse("governance:policy_add")).status_code == (200 if role in WRITERS else 403)
    client.post(
        reverse("governance:policy_add"), {"title": "Page policy", "category": "other", "review_interval_months": 12}
    )
    assert Policy.objects.filter(title="Page policy").exists() is (role in WRITERS)


def test_the_policy_form_shows_field_errors_and_keeps_input(governance):
    response = page_client(governance).post(
        reverse("governance:policy_add"), {"title": "Kept title", "category": "wizardry", "review_interval_months": 0}
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) >= {"category", "review_interval_months"}
    assert b"Kept title" in response.content
    assert not Policy.objects.filter(title="Kept title").exists()


def test_a_governance_user_drafts_a_version_from_the_newest_text(governance):
    policy = ApprovedVersionFactory(body="Old text").policy
    client = page_client(governance)
    form = client.get(reverse("governance:policyversion_add", args=[policy.pk]))
    assert form.context["form"].initial["body"] == "Old text"
    response = client.post(
        reverse("governance:policyversion_add", args=[policy.pk]), {"body": "New text", "change_summary": "Tighter"}
    )
    created = policy.versions.get(number=2)
    assert response.status_code == 302 and response["Location"] == created.get_absolute_url()
    assert (created.status, created.author, created.body) == ("draft", governance, "New text")


@pytest.mark.parametrize("status", ["in_review", "approved", "superseded"])
def test_editing_a_non_draft_page_is_refused_with_the_reason(governance, status):
    version = PolicyVersionFactory(status=status, body="Frozen")
    client = page_client(governance)
    url = reverse("governance:policyversion_edit", args=[version.pk])
    response = client.post(url, {"body": "Changed", "version": version.version}, follow=True)
    assert "Only a draft can be edited" in response.content.decode()
    version.refresh_from_db()
    assert version.body == "Frozen"
    assert "Only a draft" in client.get(url, follow=True).content.decode()


def test_a_draft_is_edited_and_a_stale_edit_keeps_the_input(governance):
    version = PolicyVersionFactory(author=governance, body="First")
    url = reverse("governance:policyversion_edit", args=[version.pk])
    client = page_client(governance)
    assert client.post(url, {"body": "Second", "version": version.version}).status_code == 302
    stale = client.post(url, {"body": "Third", "version": version.version})
    assert stale.status_code == 200
    assert "Someone else changed this record" in stale.content.decode()
    assert b"Third" in stale.content
    version.refresh_from_db()
    assert version.body == "Second"


def test_the_workflow_through_pages_with_confirmation(governance, reviewer):
    version = PolicyVersionFactory(author=governance)
    author, other = page_client(governance), page_client(reviewer)
    submit = reverse("governance:policyversion_submit", args=[version.pk])
    assert "Submit for review" in author.get(submit).content.decode()  # the confirmation page
    author.post(submit, {"version": version.version})
    version.refresh_from_db()
    assert version.status == "in_review"
    # The author's own approval is refused with the reason, the other reviewer's goes through.
    approve = reverse("governance:policyversion_approve", args=[version.pk])
    refused = author.post(approve, {"version": version.version}, follow=True)
    assert "Separation of duties" in refused.content.decode()
    version.refresh_from_db()
    assert version.status == "in_review"
    other.post(approve, {"version": version.version})
    version.refresh_from_db()
    assert (version.status, version.approved_by) == ("approved", reviewer)


def test_rejecting_through_the_page_needs_a_comment(in_review, reviewer):
    client = page_client(reviewer)
    url = reverse("governance:policyversion_reject", args=[in_review.pk])
    empty = client.post(url, {"comment": "", "version": in_review.version})
    assert empty.status_code == 200 and empty.context["form"].errors
    client.post(url, {"comment": "Name an owner.", "version": in_review.version})
    in_review.refresh_from_db()
    assert (in_review.status, in_review.review_comment) == ("draft", "Name an owner.")


@pytest.mark.parametrize("role", ["leader", "contributor", "auditor", "outsider"])
def test_roles_that_may_never_approve_get_403_on_the_pages(personas, in_review, role):
    client = page_client(personas[role])
    for name in ("policyversion_approve", "policyversion_reject", "policyversion_submit"):
        url = reverse(f"governance:{name}", args=[in_review.pk])
        assert client.get(url).status_code == 403
        assert client.post(url, {"comment": "x"}).status_code == 403
    in_review.refresh_from_db()
    assert in_review.status == "in_review"


def test_the_diff_escapes_html_and_marks_changes(governance):
    policy = PolicyFactory()
    old = ApprovedVersionFactory(policy=policy, number=1, body="Line one\nLine two")
    new = PolicyVersionFactory(policy=policy, number=2, body="Line one\nLine <script>alert(1)</script>")
    response = page_client(governance).get(
        reverse("governance:policy_diff", args=[policy.pk]), {"a": old.pk, "b": new.pk}
    )
    html = response.content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html
    assert 'class="diff_chg"' in html or 'class="diff_add"' in html


def test_a_script_in_a_policy_body_never_reaches_a_page(governance):
    body = '# Title\n\n<script>alert("x")</script>\n\n[click](javascript:alert(1)) <img src=x onerror=alert(1)>'
    version = ApprovedVersionFactory(body=body)
    client = page_client(governance)
    for url in (version.policy.get_absolute_url(), version.get_absolute_url()):
        html = client.get(url).content.decode()
        assert "<h1>Title</h1>" in html
        assert "alert" not in html.split('<div class="card-body policy-body">', 1)[1].split("</div>", 1)[0]
        assert "<script>alert" not in html and "onerror" not in html and "javascript:" not in html


def test_the_builtin_catalogue_is_read_only_on_pages(executive):
    from governance.models import Framework

    nist = Framework.objects.get(code="nist-ai-rmf-1.0")
    client = page_client(executive)
    assert client.get(reverse("governance:framework_edit", args=[nist.pk])).status_code == 403
    assert client.get(reverse("governance:requirement_add", args=[nist.pk])).status_code == 403
    assert b">Edit<" not in client.get(nist.get_absolute_url()).content


def test_a_custom_framework_and_its_requirements_are_managed_on_pages(governance):
    client = page_client(governance)
    client.post(reverse("governance:framework_add"), {"code": "acme-ai", "title": "ACME AI standard"})
    from governance.models import Framework

    framework = Framework.objects.get(code="acme-ai")
    response = client.post(
        reverse("governance:requirement_add", args=[framework.pk]),
        {"code": "A.1", "title": "Model inventory", "level": "control", "position": 1},
    )
    assert response.status_code == 302
    page = client.get(framework.get_absolute_url()).content.decode()
    assert "A.1" in page and "Coverage: 0%" in page


def test_deleting_a_draft_returns_to_the_policy(governance):
    version = PolicyVersionFactory(author=governance)
    response = page_client(governance).post(
        reverse("governance:policyversion_delete", args=[version.pk]), {"version": version.version}
    )
    assert response["Location"] == version.policy.get_absolute_url()
    assert not PolicyVersion.objects.filter(pk=version.pk).exists()


# --- one predicate per action: a button shows exactly when its move would be allowed -------------
def _review_buttons(user, version):
    body = page_client(user).get(version.get_absolute_url()).content.decode()
    return (
        reverse("governance:policyversion_approve", args=[version.pk]) in body,
        reverse("governance:policyversion_reject", args=[version.pk]) in body,
    )


def test_the_author_of_a_version_is_offered_neither_approve_nor_reject(in_review, governance):
    assert _review_buttons(governance, in_review) == (False, False)


def test_a_governance_member_who_is_not_the_author_is_offered_both(in_review, reviewer):
    assert _review_buttons(reviewer, in_review) == (True, True)


def test_the_buttons_follow_the_services_predicates(in_review, governance, reviewer, personas):
    for user in (governance, reviewer, *personas.values()):
        expected = (services.may_approve(user, in_review), services.may_reject(user, in_review))
        if user.groups.exists():  # an outsider gets 403 on the page
            assert _review_buttons(user, in_review) == expected, user


def test_the_author_may_not_reject_their_own_version_on_the_page_either(in_review, governance):
    url = reverse("governance:policyversion_reject", args=[in_review.pk])
    response = page_client(governance).post(url, {"comment": "Not mine to judge."}, follow=True)
    assert "Separation of duties" in response.content.decode()
    in_review.refresh_from_db()
    assert in_review.status == "in_review"
