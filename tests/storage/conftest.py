"""A real S3 server for the storage tests: SeaweedFS (tests/storage/seaweed.py), started once per session on
free ports in a temporary directory, with one identity (anonymous access denied) and one bucket — the
`s3_server` fixture of tests/storage/s3_fixture.py, which tests/conftest.py shares with tests/deploy.

`backend` runs a test on the local directory and on the S3 bucket: it points STORAGES["default"] at either,
the S3 one built by the same function as the settings (xinfang.core.files) from the documented variables,
with a folder (XINFANG_S3_PREFIX) of its own per test, so tests never see each other's objects."""

import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.storage import seaweed
from xinfang.core import files


@dataclass
class Backend:
    """The storage a test runs on: `stored(name)` reads an object straight from the backend, not through
    Django (None when there is none), `names()` lists every stored name."""

    kind: str
    media_root: Path
    server: seaweed.Server | None = None
    prefix: str = ""

    def _key(self, name: str) -> str:
        return f"{self.prefix}/{name}"

    def stored(self, name: str) -> bytes | None:
        if self.server is None:
            path = self.media_root / name
            return path.read_bytes() if path.is_file() else None
        try:
            return (
                self.server.client().get_object(Bucket=self.server.bucket, Key=self._key(name))["Body"].read()
            )
        except self.server.client().exceptions.NoSuchKey:
            return None

    def names(self) -> list[str]:
        if self.server is None:
            root = self.media_root
            return (
                sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
                if root.exists()
                else []
            )
        pages = (
            self.server.client()
            .get_paginator("list_objects_v2")
            .paginate(Bucket=self.server.bucket, Prefix=self.prefix + "/")
        )
        return sorted(o["Key"][len(self.prefix) + 1 :] for page in pages for o in page.get("Contents", []))

    def anonymous_status(self, name: str) -> int:
        """The HTTP status of a plain GET of the object at the S3 endpoint, without credentials."""
        try:
            return urllib.request.urlopen(
                f"{self.server.endpoint}/{self.server.bucket}/{self._key(name)}"
            ).status
        except urllib.error.HTTPError as e:
            return e.code


@pytest.fixture(params=["local", "s3"])
def backend(request, settings):
    settings.STORAGES = {**settings.STORAGES, "default": files.LOCAL}
    if request.param == "local":
        return Backend("local", Path(settings.MEDIA_ROOT))
    server = request.getfixturevalue("s3_server")
    prefix = f"t-{uuid.uuid4().hex[:12]}"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": files.default_storage_settings(server.env(prefix).get),
    }
    return Backend("s3", Path(settings.MEDIA_ROOT), server, prefix)
