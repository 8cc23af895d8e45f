"""Where evidence files live: the `evidence` storage of STORAGES (the file system under MEDIA_ROOT
by default, an S3-compatible bucket when STORAGE_URL or AWS_STORAGE_BUCKET_NAME is set: see
vpportal/settings.py). Files are named by their SHA-256, never by the name a user gave them, so
the same content is stored once and a name can never reach outside the bucket or folder."""

from django.conf import settings
from django.core.files.storage import default_storage, storages

ALIAS = "evidence"
PREFIX = "evidence"


def evidence_storage():
    return storages[ALIAS] if ALIAS in settings.STORAGES else default_storage


def name_for(sha256: str) -> str:
    return f"{PREFIX}/{sha256[:2]}/{sha256}"


def store(file, sha256: str) -> tuple[str, bool]:
    """Save `file` under its content address; (name, True when this call wrote it)."""
    storage = evidence_storage()
    name = name_for(sha256)
    if storage.exists(name):
        return name, False
    file.seek(0)
    saved = storage.save(name, file)
    if saved != name:
        # Another upload of the same bytes got there first (the file system then picks another
        # name): the content is the same, keep the one address.
        storage.delete(saved)
        return name, False
    return name, True


def open_stored(name: str):
    return evidence_storage().open(name, "rb")


def delete_stored(name: str) -> None:
    storage = evidence_storage()
    if storage.exists(name):
        storage.delete(name)
