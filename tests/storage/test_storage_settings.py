"""STORAGES["default"] from the environment (xinfang.core.files): local by default, a private S3 bucket that
never overwrites on request, and a clear Chinese error for a wrong or incomplete setting."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from xinfang.core import files


def settings_for(**env):
    return files.default_storage_settings(lambda name, default="": env.get(name, default))


def test_local_by_default_follows_media_root():
    assert settings_for() == settings_for(XINFANG_STORAGE="local") == files.LOCAL
    assert "OPTIONS" not in files.LOCAL  # no fixed location: FileSystemStorage reads MEDIA_ROOT


def test_s3_objects_are_private_and_never_overwritten():
    config = settings_for(XINFANG_STORAGE="s3", XINFANG_S3_BUCKET="xinfang", XINFANG_S3_PREFIX="/prod/",
                          XINFANG_S3_ENDPOINT_URL="https://oss.intranet:9000")  # fmt: skip
    assert config["BACKEND"] == "storages.backends.s3.S3Storage"
    options = config["OPTIONS"]
    assert options["bucket_name"] == "xinfang" and options["location"] == "prod"
    assert options["endpoint_url"] == "https://oss.intranet:9000"
    assert options["default_acl"] == "private" and options["querystring_auth"] is True
    assert options["custom_domain"] is None and options["file_overwrite"] is False
    assert options["access_key"] is None and options["secret_key"] is None  # boto3's own chain then


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"XINFANG_STORAGE": "ftp"}, "XINFANG_STORAGE 只能是 local 或 s3，而不是“ftp”。"),
        ({"XINFANG_STORAGE": "s3"}, "XINFANG_STORAGE=s3 时必须设置 XINFANG_S3_BUCKET（存储桶名称）。"),
    ],
)
def test_a_wrong_setting_stops_the_start_with_a_chinese_error(env, message):
    with pytest.raises(ImproperlyConfigured) as error:
        settings_for(**env)
    assert str(error.value) == message
