"""xinfang backup and restore walk the file storage through its API only (issue 13): on a local directory and
on a real S3 bucket (SeaweedFS, tests/storage/conftest.py) every object — nested folders, a Chinese name, an
empty file — goes into the backup with its checksum and comes back into the emptied storage byte for byte."""

import hashlib
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from tests.databases import fresh_database
from xinfang.core import backup

# outside a test transaction, as the command runs: SQLite's transactions begin IMMEDIATE (settings), and the
# backup API's copy would wait forever for the write lock of the test's own transaction
pytestmark = pytest.mark.django_db(transaction=True)
FILES = {
    "attachments/2026/12/3f9a.jpg": bytes(range(256)) * 16,
    "attachments/2026/11/信访人补充材料.pdf": "处理意见书".encode() * 50,
    "finance/builds/7/out/charts/fig1.png": b"\x89PNG" + b"\x01" * 300,
    "empty.txt": b"",
}


def test_every_object_is_backed_up_and_restored_through_the_storage_api(backend, tmp_path):
    for name, content in FILES.items():
        assert default_storage.save(name, ContentFile(content)) == name

    call_command("backup", out=tmp_path / "backup", stdout=StringIO())

    manifest = backup.read_manifest(tmp_path / "backup")
    expected = {name: (len(content), hashlib.sha256(content).hexdigest()) for name, content in FILES.items()}
    assert {f["path"]: (f["size"], f["sha256"]) for f in manifest["files"]} == expected
    with pytest.raises(
        CommandError, match="目标文件存储不是空的"
    ):  # an empty database, but the files are there
        with fresh_database(tmp_path) as alias:
            call_command("restore", str(tmp_path / "backup"), database=alias, stdout=StringIO())

    for name in FILES:
        default_storage.delete(name)
    assert backend.names() == []
    with fresh_database(tmp_path) as alias:
        out = StringIO()
        call_command("restore", str(tmp_path / "backup"), database=alias, stdout=out)
    assert "文件 4 个" in out.getvalue()
    assert {name: backend.stored(name) for name in backend.names()} == FILES
