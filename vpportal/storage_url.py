"""STORAGE_URL -> the STORAGES entry of the evidence files (standard library only: settings use it).

    (unset)                                   the file system under MEDIA_ROOT
    s3://KEY:SECRET@host[:port]/bucket         an S3-compatible store over HTTPS (S3, MinIO, Ceph)
    s3+http://KEY:SECRET@host:port/bucket      the same over plain HTTP (a store on a private network)
    s3:///bucket?region=eu-west-1              AWS S3 itself, credentials from the usual AWS chain
Query parameters: `region`, `prefix` (a folder inside the bucket), `addressing` (`path`/`virtual`).
Without STORAGE_URL, AWS_STORAGE_BUCKET_NAME (with AWS_S3_ENDPOINT_URL, AWS_S3_REGION_NAME,
AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, read by django-storages itself) selects S3 too.
"""

from urllib.parse import parse_qs, unquote, urlsplit

S3_BACKEND = "storages.backends.s3.S3Storage"
FILE_BACKEND = "django.core.files.storage.FileSystemStorage"


def storage_from_url(url: str) -> dict:
    parts = urlsplit(url)
    if parts.scheme not in ("s3", "s3+http", "s3+https"):
        raise ValueError(f"STORAGE_URL must start with s3://, s3+http:// or s3+https:// (got {parts.scheme!r}).")
    bucket = parts.path.strip("/").split("/")[0]
    if not bucket:
        raise ValueError("STORAGE_URL names no bucket (s3://host/bucket).")
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    options = {"bucket_name": bucket, "file_overwrite": True, "default_acl": None, "querystring_auth": True}
    if parts.hostname:
        protocol = "http" if parts.scheme == "s3+http" else "https"
        port = f":{parts.port}" if parts.port else ""
        options["endpoint_url"] = f"{protocol}://{parts.hostname}{port}"
        options["addressing_style"] = query.get("addressing", "path")
    if parts.username:
        options["access_key"] = unquote(parts.username)
        options["secret_key"] = unquote(parts.password or "")
    if "region" in query:
        options["region_name"] = query["region"]
    if query.get("prefix"):
        options["location"] = query["prefix"].strip("/")
    return {"BACKEND": S3_BACKEND, "OPTIONS": options}


def evidence_storage(storage_url: str, aws_bucket: str, media_root) -> dict:
    if storage_url:
        return storage_from_url(storage_url)
    if aws_bucket:
        return {"BACKEND": S3_BACKEND, "OPTIONS": {"bucket_name": aws_bucket, "default_acl": None}}
    return {"BACKEND": FILE_BACKEND, "OPTIONS": {"location": str(media_root), "base_url": None}}
