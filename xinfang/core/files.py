"""Files: where uploads and generated documents are kept (docs/operations.md, "Files").

Everything the application keeps as a file — attachments, the .docx of issued notices, the finance disclosure
builds and their status — is written and read through Django's storage API (`default_storage`), never by a
path, so the same code runs on a local directory (development, a single server) and on an S3-compatible
object store (production). Nothing is ever served by a storage URL: every download streams through a view
that checks access (FileResponse over storage.open).
"""

import json
import os
import uuid
from collections.abc import Callable
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage

LOCAL = {"BACKEND": "django.core.files.storage.FileSystemStorage"}  # no location: it follows MEDIA_ROOT


def default_storage_settings(env: Callable[[str, str], str]) -> dict:
    """STORAGES["default"] from the environment (`env(name, default)`, xinfang.core.env.env_str in settings):
    XINFANG_STORAGE=local (default) or s3. S3 objects are private (no ACL grant, pre-signed URLs only, never
    used), an existing name is never overwritten (a second upload with the same content gets its own name)."""
    kind = env("XINFANG_STORAGE", "local").strip().lower() or "local"
    if kind == "local":
        return LOCAL
    if kind != "s3":
        raise ImproperlyConfigured(f"XINFANG_STORAGE 只能是 local 或 s3，而不是“{kind}”。")
    bucket = env("XINFANG_S3_BUCKET", "").strip()
    if not bucket:
        raise ImproperlyConfigured("XINFANG_STORAGE=s3 时必须设置 XINFANG_S3_BUCKET（存储桶名称）。")
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": env("XINFANG_S3_ENDPOINT_URL", "").strip() or None,  # empty: AWS itself
            "region_name": env("XINFANG_S3_REGION", "").strip() or None,
            # empty: boto3's own chain (AWS_* variables, ~/.aws, an instance role)
            "access_key": env("AWS_ACCESS_KEY_ID", "") or None,
            "secret_key": env("AWS_SECRET_ACCESS_KEY", "") or None,
            "location": env("XINFANG_S3_PREFIX", "").strip().strip("/"),  # a folder in a shared bucket
            "addressing_style": env("XINFANG_S3_ADDRESSING_STYLE", "").strip() or None,  # path / virtual
            "verify": env("XINFANG_S3_CA_BUNDLE", "").strip() or None,  # the intranet CA's certificate file
            "signature_version": "s3v4",
            "default_acl": "private",
            "querystring_auth": True,
            "custom_domain": None,
            "file_overwrite": False,
        },
    }


def replace(name: str, content: bytes) -> None:
    """Store `content` under exactly `name` in the default storage, replacing what is there, so that a reader
    sees the old or the new content, never none or a part of it (the finance builds' status file).
    Storage.save never overwrites (it picks another name), so this goes one level below it."""
    storage = default_storage
    if isinstance(storage, FileSystemStorage):
        path = Path(storage.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
        tmp.write_bytes(content)
        os.replace(tmp, path)
    else:  # an object store replaces an object in one PUT; `_save` is the storage backend's own write
        storage._save(name, ContentFile(content))


def write_json(name: str, data: dict) -> None:
    """A small JSON document (a background job's status) under `name`, replaced whole (`replace`)."""
    replace(name, json.dumps(data, ensure_ascii=False).encode())


def read_json(name: str) -> dict | None:
    """The JSON document under `name`, or None when there is none."""
    try:
        with default_storage.open(name, "rb") as f:
            return json.loads(f.read().decode("utf-8"))
    except FileNotFoundError:
        return None
