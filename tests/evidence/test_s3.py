"""The S3 path against a real S3-speaking server on loopback: moto's server mode (`moto_server`
from PyPI), started once for this module on a free port. The same code (django-storages' S3Storage,
configured from STORAGE_URL) talks to S3, MinIO or Ceph in production."""

import hashlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest

from evidence import retention, storage
from evidence.models import Evidence
from evidence.services.evidence import evidence_create, evidence_delete
from tests.conftest import api_client
from tests.evidence import samples
from tests.evidence.conftest import post_upload
from vpportal.storage_url import storage_from_url

pytestmark = pytest.mark.django_db
BUCKET = "vp-evidence"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_server():
    port = free_port()
    moto = Path(sys.executable).with_name("moto_server")
    process = subprocess.Popen(
        [str(moto), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"},
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("moto_server did not start")
            time.sleep(0.1)
    url = f"s3+http://test:test@127.0.0.1:{port}/{BUCKET}?region=us-east-1&prefix=portal"
    client = boto3.client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{port}",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        region_name="us-east-1",
    )
    client.create_bucket(Bucket=BUCKET)
    yield url, client
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def on_s3(settings, s3_server):
    url, client = s3_server
    settings.STORAGES = {**settings.STORAGES, "evidence": storage_from_url(url)}
    yield client
    for obj in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=obj["Key"])


def keys(client) -> list[str]:
    return sorted(obj["Key"] for obj in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_upload_download_and_retention_on_s3(on_s3, governance, risk, settings):
    data = samples.png()
    response = post_upload(governance, "s.png", data, title="Dashboard screenshot", kind="screenshot", risks=[risk.pk])
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    digest = hashlib.sha256(data).hexdigest()
    assert keys(on_s3) == [f"portal/evidence/{digest[:2]}/{digest}"]
    assert on_s3.get_object(Bucket=BUCKET, Key=keys(on_s3)[0])["Body"].read() == data

    download = api_client(governance).get(f"/api/v1/evidence/{evidence.pk}/download/")
    assert download.status_code == 200 and download.streaming
    assert b"".join(download.streaming_content) == data
    assert download["Content-Disposition"] == 'attachment; filename="s.png"'
    assert download["X-Content-Type-Options"] == "nosniff" and download["Content-Security-Policy"] == "sandbox"

    settings.EVIDENCE_RETENTION_DAYS = 0
    evidence_delete(evidence, by=governance)
    assert keys(on_s3) != []  # kept until the retention job
    import datetime

    from django.utils import timezone

    assert retention.purge(timezone.now() + datetime.timedelta(seconds=1)) == [evidence.file]
    assert keys(on_s3) == []


def test_refused_upload_leaves_nothing_in_the_bucket(on_s3, governance, risk):
    with pytest.raises(Exception, match="macros"):
        evidence_create(
            by=governance,
            data={"title": "Macro", "kind": "other", "risks": [risk]},
            upload=samples.upload("m.docx", samples.office("docx", macros=True)),
        )
    assert keys(on_s3) == []
    assert storage.evidence_storage().__class__.__name__ == "S3Storage"


def test_storage_url_forms():
    assert storage_from_url("s3://AK:S%2FK@minio.internal:9000/bucket?region=eu-west-1")["OPTIONS"] == {
        "bucket_name": "bucket",
        "file_overwrite": True,
        "default_acl": None,
        "querystring_auth": True,
        "endpoint_url": "https://minio.internal:9000",
        "addressing_style": "path",
        "access_key": "AK",
        "secret_key": "S/K",
        "region_name": "eu-west-1",
    }
    assert "endpoint_url" not in storage_from_url("s3:///bucket")["OPTIONS"]
    with pytest.raises(ValueError, match="no bucket"):
        storage_from_url("s3://host/")
    with pytest.raises(ValueError, match="must start with"):
        storage_from_url("ftp://host/bucket")
