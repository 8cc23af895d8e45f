import pytest

from evidence import storage
from evidence.models import Evidence
from governance.models import Framework

pytestmark = pytest.mark.django_db


def test_demo_evidence_is_real_pdfs_and_pngs_on_records(evidence_files):
    from leadership import demo

    demo.create_demo()
    types = set(Evidence.objects.values_list("content_type", flat=True))
    assert types == {"application/pdf", "image/png"}
    assert Evidence.objects.count() >= 8
    assert Evidence.objects.expired().count() == 1 and Evidence.objects.expiring(days=30).count() == 1
    for evidence in Evidence.objects.all():
        assert evidence.links.exists()
        with storage.open_stored(evidence.file) as stored:
            head = stored.read(8)
        assert head.startswith(b"%PDF" if evidence.content_type == "application/pdf" else b"\x89PNG")
    assert any(f.evidenced_count for f in Framework.objects.with_coverage())
