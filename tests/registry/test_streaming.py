"""The registry is read a page at a time: the client asks for a page only when the sync is done
with the one before, and the sync keeps no list of the registry (benchmarks/registry_sync.py
measures the peak memory at 1,000 models x 10 versions)."""

from integrations.mlflow_client import MlflowRest
from integrations.registry import sync_source
from tests.registry.fixtures import register


def test_the_client_fetches_the_next_page_only_when_asked(mlflow, gate):
    for n in range(5):
        register(mlflow, f"s-{n}", 1, run=False)
    client = MlflowRest(gate.url)
    pages = client.registered_models(page_size=2)
    asked = lambda: sum("registered-models/search" in p for p in gate.seen)  # noqa: E731

    assert asked() == 0  # nothing is read before the first page is wanted
    assert len(next(pages)) == 2 and asked() == 1
    assert len(next(pages)) == 2 and asked() == 2
    assert len(next(pages)) == 1 and asked() == 3
    assert next(pages, None) is None and asked() == 3
    client.close()


def test_the_sync_interleaves_reads_and_writes(source, mlflow, gate):
    """When the registry is asked for its second page of versions, the first page's versions are
    already written: the sync does not read the whole registry first."""
    from integrations.models import AISystemVersion

    for n in range(3):
        register(mlflow, f"w-{n}", 2, run=False)
    written_when_asked = []
    real_pages = MlflowRest.pages

    def pages(self, endpoint, key, **kwargs):
        for number, page in enumerate(real_pages(self, endpoint, key, **kwargs)):
            if endpoint == "model-versions/search":
                written_when_asked.append((number, AISystemVersion.objects.count()))
            yield page

    MlflowRest.pages = pages
    try:
        sync_source(source, page_size=2)
    finally:
        MlflowRest.pages = real_pages
    assert written_when_asked == [(0, 0), (1, 2), (2, 4)]


def test_a_pages_new_records_share_one_commit_callback(source, mlflow, django_capture_on_commit_callbacks):
    """The sync is one transaction: a callback a new record (an event each) would grow with the
    registry. The events are recorded a page at a time: one callback for the page of new systems,
    one for the page of new versions, one for the sync's own event, however many records."""
    from integrations.models import AISystemVersion
    from vpportal.events.models import Event

    for n in range(4):
        register(mlflow, f"c-{n}", 3, run=False)

    with django_capture_on_commit_callbacks() as callbacks:
        sync_source(source, page_size=100)

    assert len(callbacks) == 3
    assert AISystemVersion.objects.count() == 12
    assert Event.objects.filter(type="ai_system.created").count() == 4
    registered = Event.objects.filter(type="ai_system_version.registered")
    assert registered.count() == 12
    assert {(e.data["model_name"], e.data["model_version"]) for e in registered} == {
        (f"c-{n}", str(v)) for n in range(4) for v in (1, 2, 3)
    }
