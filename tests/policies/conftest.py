import pytest

from tests.factories.people import PersonFactory, UserFactory
from tests.factories.policies import PolicyFactory, PolicyVersionFactory


@pytest.fixture
def reviewer(db):
    """A second governance member: the one who may approve what the `governance` persona wrote."""
    user = UserFactory(username="second-reviewer", roles=["governance"], is_staff=True)
    PersonFactory(user=user, name="Second Reviewer")
    return user


@pytest.fixture
def draft(governance):
    return PolicyVersionFactory(author=governance, policy=PolicyFactory(review_interval_months=6))


@pytest.fixture
def in_review(draft):
    draft.status = "in_review"
    draft.save()
    return draft
