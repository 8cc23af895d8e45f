"""Ten uploads at once through the upload page (issue 18: "10 parallel uploads"), each in its own
request thread and database connection: every one is stored or refused with its field error, the
refused ones (over EVIDENCE_MAX_MB, or a program) leave nothing in storage, and two uploads of the
same bytes at once end as one stored file under its hash. Scaled to 2-4 MB a file to keep the suite
fast; benchmarks/evidence_memory.py measures 10 x 20 MB and the peak memory of a 25 MB upload."""

import hashlib
import threading

import pytest
from django.db import connection
from django.urls import reverse

from evidence.models import Evidence
from tests.conftest import page_client
from tests.evidence import samples
from tests.evidence.conftest import stored_files

pytestmark = pytest.mark.django_db(transaction=True)

MB = 1024 * 1024


def body(index: int, size: int) -> bytes:
    line = f"{index},row of upload {index}\n".encode()
    return (line * (size // len(line) + 1))[:size]


def test_ten_parallel_uploads_each_succeed_or_fail_cleanly(governance, risk, evidence_files, settings):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite takes one writer at a time; production (and this test on PostgreSQL) runs PostgreSQL")
    settings.EVIDENCE_MAX_MB = 3
    uploads = {f"ok-{i}.csv": body(i, 2 * MB) for i in range(6)}
    uploads["same-a.csv"] = uploads["same-b.csv"] = body(100, 2 * MB)  # the same bytes twice at once
    uploads["big.csv"] = body(200, 4 * MB)  # over the cap: refused while it streams
    uploads["tool.pdf"] = samples.ELF + b"\0" * MB  # a program: refused by its content
    assert len(uploads) == 10
    results, start = {}, threading.Barrier(len(uploads))

    def post(name, data):
        try:
            client = page_client(governance)
            start.wait(timeout=60)
            response = client.post(
                reverse("evidence:evidence_add"),
                {"title": name, "kind": "test_report", "risks": [risk.pk], "file": samples.upload(name, data)},
            )
            # The page's text, not response.context: the test client collects templates rendered
            # by every thread (a process-wide signal), so another upload's form could show there.
            results[name] = (response.status_code, response.content.decode())
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=item) for item in uploads.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    stored_ok = {name for name, (status, _) in results.items() if status == 302}
    assert stored_ok == {*(f"ok-{i}.csv" for i in range(6)), "same-a.csv", "same-b.csv"}, results
    big, tool = results["big.csv"], results["tool.pdf"]
    assert big[0] == 200 and "The file is larger than the limit of 3 MB." in big[1] and "executable" not in big[1]
    assert tool[0] == 200 and "executable program" in tool[1] and "larger than the limit" not in tool[1]
    assert Evidence.objects.count() == 8
    expected = {hashlib.sha256(data).hexdigest() for name, data in uploads.items() if name in stored_ok}
    files = stored_files(evidence_files)
    assert {path.name for path in files} == expected and len(files) == 7  # no partial file, no duplicate
    for path in files:
        assert hashlib.sha256(path.read_bytes()).hexdigest() == path.name
