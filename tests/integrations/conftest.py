import pytest

from tests.integrations.receiver import Receiver


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def private_targets(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    settings.WEBHOOK_BACKOFF_BASE_SECONDS = 0.01
    settings.WEBHOOK_BACKOFF_MAX_SECONDS = 0.05
