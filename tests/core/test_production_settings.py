"""The production stack's safe settings (issue 13): secrets from files, the SECRET_KEY check, `check --deploy`
clean with the documented production environment (deploy/xinfang.env.example), 查询码 key rotation, the
client address behind trusted proxies, /healthz and /readyz, the request id on responses, logs and 500s."""

import base64
import io
import json
import logging
import os
import runpy
import secrets
from pathlib import Path

import pytest
from django.conf import settings
from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.http import HttpResponse
from django.test import Client, override_settings

from tests.portal.helpers import form_data, submitted
from xinfang.accounts.login import LOGIN
from xinfang.accounts.models import AuditEntry
from xinfang.core import env, keyring, logs, net
from xinfang.petitions import citizens

ROOT = Path(__file__).resolve().parents[2]
ENV_EXAMPLE = ROOT / "deploy" / "xinfang.env.example"
STRONG = "x" * 10 + secrets.token_urlsafe(48)


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=value lines, as systemd's EnvironmentFile reads them (comments and blank lines skipped)."""
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def documented_environment(tmp_path) -> dict[str, str]:
    """The example environment, with each secret file it names written (fresh random values) under tmp_path,
    and the var directory there too."""
    values = read_env_file(ENV_EXAMPLE)
    contents = {
        "XINFANG_QUERY_CODE_KEYS_FILE": "k1:" + secrets.token_urlsafe(40),
        "XINFANG_PII_KEYS_FILE": "k1:" + base64.b64encode(secrets.token_bytes(32)).decode(),  # issue 14
        "DATABASE_URL_FILE": "postgres://xinfang@127.0.0.1:5432/xinfang",
    }
    for name in [n for n in values if n.endswith("_FILE")]:
        path = tmp_path / "secrets" / name.lower()
        path.parent.mkdir(exist_ok=True)
        path.write_text(contents.get(name, secrets.token_urlsafe(64)) + "\n", encoding="utf-8")
        values[name] = str(path)
    values["XINFANG_VAR_DIR"] = str(tmp_path / "var")
    return values


def settings_under(environment: dict[str, str], monkeypatch) -> dict:
    """xinfang/settings.py evaluated afresh under `environment` (nothing else of ours from the process's
    environment): its upper-case names."""
    for name in list(os.environ):
        if name.startswith(("XINFANG_", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "CSRF_", "LOG_")):
            monkeypatch.delenv(name)
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)  # set for the test run (conftest) only
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    namespace = runpy.run_path(str(ROOT / "xinfang" / "settings.py"))
    return {k: v for k, v in namespace.items() if k.isupper()}


def differing(values: dict) -> dict:
    """What differs from the running settings (the database is not part of `check --deploy`)."""
    return {k: v for k, v in values.items() if k != "DATABASES" and getattr(settings, k, object()) != v}


# --- secrets from the environment or from files --------------------------------------------------------------


def test_a_value_comes_from_the_variable_or_from_the_file_it_names(tmp_path, monkeypatch):
    secret = tmp_path / "secret"
    secret.write_text("s3cr3t-from-file\n", encoding="utf-8")
    monkeypatch.delenv("XF_TEST_VALUE", raising=False)
    monkeypatch.setenv("XF_TEST_VALUE_FILE", str(secret))
    assert env.env_str("XF_TEST_VALUE") == "s3cr3t-from-file"
    monkeypatch.setenv("XF_TEST_VALUE", "from-env")
    assert env.env_str("XF_TEST_VALUE") == "from-env"  # the variable itself wins
    monkeypatch.delenv("XF_TEST_VALUE_FILE")
    monkeypatch.delenv("XF_TEST_VALUE")
    assert env.env_str("XF_TEST_VALUE", "default") == "default"


def test_secret_key_from_secret_key_file_or_the_generated_file(tmp_path, monkeypatch):
    base = {"XINFANG_VAR_DIR": str(tmp_path / "var")}
    assert settings_under(base, monkeypatch)["SECRET_KEY"] == settings.DEV_SECRET_KEY  # refused by the check
    (tmp_path / "var" / "secret_key").write_text("generated-" + STRONG + "\n", encoding="utf-8")
    assert settings_under(base, monkeypatch)["SECRET_KEY"] == "generated-" + STRONG
    key_file = tmp_path / "key"
    key_file.write_text(STRONG + "\n", encoding="utf-8")
    assert settings_under({**base, "SECRET_KEY_FILE": str(key_file)}, monkeypatch)["SECRET_KEY"] == STRONG


# --- system checks -------------------------------------------------------------------------------------------


def check_ids(**overrides) -> set[str]:
    with override_settings(**overrides):
        return {message.id for message in run_checks(include_deployment_checks=True)}


@pytest.mark.parametrize("key", ["", "dev-only-insecure-key-change-me-in-production-0123456789", "short-key"])
def test_without_a_real_secret_key_debug_off_refuses_to_start(key):
    assert "xinfang.E001" in check_ids(DEBUG=False, SECRET_KEY=key or "x")
    with override_settings(DEBUG=False, SECRET_KEY=key or "x"), pytest.raises(SystemCheckError) as refused:
        call_command("check", stdout=io.StringIO(), stderr=io.StringIO())
    assert "xinfang.E001" in str(refused.value) and "SECRET_KEY" in str(refused.value)


def test_the_development_key_is_accepted_with_debug_on_and_a_real_key_always():
    assert "xinfang.E001" not in check_ids(DEBUG=True, SECRET_KEY=settings.DEV_SECRET_KEY)
    assert "xinfang.E001" not in check_ids(DEBUG=False, SECRET_KEY=STRONG)


@pytest.mark.parametrize(
    ("keys", "problem"),
    [("k1", "格式"), ("k 1:" + STRONG, "格式"), (f"k1:{STRONG},k1:{STRONG}", "重复"), ("k1:short", "过短")],
)
def test_a_malformed_query_code_key_list_is_an_error(keys, problem):
    with override_settings(XINFANG_QUERY_CODE_KEYS=keys):
        errors = [m for m in run_checks() if m.id == "xinfang.E002"]
    assert len(errors) == 1 and problem in errors[0].msg and STRONG not in errors[0].msg


def test_a_malformed_trusted_proxy_is_an_error():
    assert "xinfang.E003" in check_ids(XINFANG_TRUSTED_PROXIES=["10.0.0.0/8", "nginx.local"])
    assert "xinfang.E003" not in check_ids(XINFANG_TRUSTED_PROXIES=["10.0.0.0/8", "::1"])


def test_check_deploy_is_clean_with_the_documented_production_environment(tmp_path, monkeypatch):
    production = settings_under(documented_environment(tmp_path), monkeypatch)
    assert production["DEBUG"] is False and production["SECURE_SSL_REDIRECT"] is True
    assert production["XINFANG_MAX_REQUEST_BYTES"] == 51 * 1024 * 1024  # nginx's client_max_body_size 51m
    with override_settings(**differing(production)):
        out = io.StringIO()
        call_command("check", deploy=True, fail_level="WARNING", stdout=out, stderr=io.StringIO())
    assert "System check identified no issues" in out.getvalue()


def test_check_deploy_warns_without_the_production_environment():
    found = check_ids(DEBUG=False, SECRET_KEY=STRONG)
    assert {"security.W004", "security.W008", "security.W012", "security.W016", "xinfang.W001"} <= found


# --- 查询码 keys with ids, rotation ------------------------------------------------------------------------------


K1, K2 = "k1:" + "1" * 8 + STRONG, "k2:" + "2" * 8 + STRONG


def test_key_ring_signs_with_the_first_key_and_verifies_with_the_recorded_one():
    old = keyring.KeyRing.parse(K1).sign("DJ1:CODE")
    assert old.startswith("k1$")
    rotated = keyring.KeyRing.parse(f"{K2},{K1}")
    assert rotated.verify(old, "DJ1:CODE") and not rotated.verify(old, "DJ1:OTHER")
    assert rotated.sign("DJ1:CODE").startswith("k2$")
    assert not keyring.KeyRing.parse(K2).verify(old, "DJ1:CODE")  # k1 retired: fails closed
    assert not rotated.verify("k9$" + old[3:], "DJ1:CODE")  # an unknown id fails closed


def stored_hash(registration) -> str:
    registration.refresh_from_db()
    return registration.query_code_hash


def test_codes_given_out_keep_working_after_rotation(units, settings):
    settings.XINFANG_QUERY_CODE_KEYS = ""
    legacy, legacy_code = submitted()
    assert len(stored_hash(legacy)) == 64  # before key ids: keyed by SECRET_KEY, no id
    settings.XINFANG_QUERY_CODE_KEYS = K1
    first, first_code = submitted()
    assert stored_hash(first).startswith("k1$")
    settings.XINFANG_QUERY_CODE_KEYS = f"{K2},{K1}"
    second, second_code = submitted()
    assert stored_hash(second).startswith("k2$")
    for registration, code in [(legacy, legacy_code), (first, first_code), (second, second_code)]:
        assert citizens.find_registration(registration.number, code) == registration
    assert citizens.find_registration(first.number, second_code) is None
    settings.XINFANG_QUERY_CODE_KEYS = K2  # k1 retired on purpose: its codes no longer open anything
    assert citizens.find_registration(first.number, first_code) is None
    assert citizens.find_registration(second.number, second_code) == second


def test_portal_tracking_finds_a_code_issued_before_the_rotation(client, units, settings):
    settings.XINFANG_QUERY_CODE_KEYS = K1
    registration, code = submitted()
    settings.XINFANG_QUERY_CODE_KEYS = f"{K2},{K1}"
    response = client.post("/portal/track/", {"number": registration.number, "code": code})
    assert response.status_code == 302 and response["Location"] == "/portal/track/case/"


# --- the client's address behind trusted proxies ---------------------------------------------------------------


def request_from(remote, forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return type("Request", (), {"META": meta})()


@pytest.mark.parametrize(
    ("remote", "forwarded", "client"),
    [
        ("198.51.100.7", "1.2.3.4", "198.51.100.7"),  # not from a proxy: the header is ignored
        ("10.0.0.2", "203.0.113.9", "203.0.113.9"),  # from the proxy: the address it saw
        ("10.0.0.2", "1.2.3.4, 203.0.113.9", "203.0.113.9"),  # a forged left part is ignored
        ("10.0.0.2", "203.0.113.9, 10.0.0.3", "203.0.113.9"),  # two proxies in the trusted network
        ("10.0.0.2", None, "10.0.0.2"),  # nothing forwarded: the proxy itself
        ("10.0.0.2", "garbage", "10.0.0.2"),
        ("::1", "2001:db8::5", "2001:db8::5"),
    ],
)
def test_client_ip_believes_x_forwarded_for_only_from_a_trusted_proxy(settings, remote, forwarded, client):
    settings.XINFANG_TRUSTED_PROXIES = ["10.0.0.0/24", "::1"]
    assert net.client_ip(request_from(remote, forwarded)) == client


@pytest.mark.parametrize(
    ("peer", "hops", "blocked_ip"),
    [
        # a client that is not a proxy: a spoofed X-Forwarded-For does not escape the limit
        ("198.51.100.7", [("1.1.1.1", 302), ("2.2.2.2", 429)], "198.51.100.7"),
        # behind the trusted proxy each client has its own limit
        ("10.0.0.2", [("203.0.113.5", 302), ("203.0.113.5", 429), ("203.0.113.6", 302)], "203.0.113.5"),
    ],
)
def test_the_portal_limit_counts_the_client_address(units, settings, peer, hops, blocked_ip):
    settings.PORTAL_SUBMIT_MAX = 1
    settings.XINFANG_TRUSTED_PROXIES = ["10.0.0.2"]
    client = Client(REMOTE_ADDR=peer)
    statuses = [
        client.post("/portal/submit/", form_data(), HTTP_X_FORWARDED_FOR=ip).status_code for ip, _ in hops
    ]
    assert statuses == [status for _, status in hops]
    assert AuditEntry.objects.get(action="portal:submit_blocked").ip == blocked_ip


def test_the_login_audit_row_records_the_client_behind_the_proxy(client, clerk, settings):
    settings.XINFANG_TRUSTED_PROXIES = ["10.0.0.2"]
    client.post("/accounts/login/", {"username": "clerk1", "password": "wrong"}, REMOTE_ADDR="10.0.0.2",
                HTTP_X_FORWARDED_FOR="203.0.113.8")  # fmt: skip
    client.post("/accounts/login/", {"username": "clerk1", "password": "wrong"}, REMOTE_ADDR="198.51.100.7",
                HTTP_X_FORWARDED_FOR="203.0.113.8")  # fmt: skip
    ips = list(AuditEntry.objects.filter(action=LOGIN).order_by("pk").values_list("ip", flat=True))
    assert ips == ["203.0.113.8", "198.51.100.7"]


# --- health endpoints ---------------------------------------------------------------------------------------------


def test_healthz_answers_without_the_database(client):
    response = client.get("/healthz")  # no db fixture: a database query here would fail the test
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_probes_database_storage_and_queue(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200
    expected = {"database": "ok", "storage": "ok"} | (
        {"queue": "ok"} if getattr(settings, "TASKS", None) else {}
    )
    assert response.json() == expected


def test_readyz_is_503_and_names_what_failed(client, db, monkeypatch):
    def unreachable(name):
        raise OSError("storage unreachable")

    monkeypatch.setattr("xinfang.core.views.default_storage.exists", unreachable)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["storage"] == "failed" and response.json()["database"] == "ok"
    assert "unreachable" not in response.content.decode()  # the cause goes to the log only


# --- request id -------------------------------------------------------------------------------------------------


def test_every_response_carries_a_request_id_and_only_a_trusted_proxy_may_set_it(client, settings):
    settings.XINFANG_TRUSTED_PROXIES = ["10.0.0.2"]
    own = client.get("/healthz")["X-Request-ID"]
    assert len(own) == 32 and own != client.get("/healthz")["X-Request-ID"]
    assert client.get("/healthz", HTTP_X_REQUEST_ID="from-client-1234")["X-Request-ID"] != "from-client-1234"
    via_proxy = client.get("/healthz", HTTP_X_REQUEST_ID="nginx-4f2a9c01", REMOTE_ADDR="10.0.0.2")
    assert via_proxy["X-Request-ID"] == "nginx-4f2a9c01"
    insane = client.get("/healthz", HTTP_X_REQUEST_ID="<script>x</script>", REMOTE_ADDR="10.0.0.2")
    assert insane["X-Request-ID"] != "<script>x</script>" and len(insane["X-Request-ID"]) == 32


def test_a_json_log_line_carries_the_request_id(rf):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(logs.RequestIDFilter())
    handler.setFormatter(logs.JSONFormatter())
    logger = logging.getLogger("xinfang.test_request_id")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)

    def view(request):
        logger.info("已受理 %s", "DJ2026000001")
        return HttpResponse("ok")

    try:
        response = logs.RequestIDMiddleware(view)(rf.get("/"))
        logger.info("outside a request")
    finally:
        logger.removeHandler(handler)
    inside, outside = (json.loads(line) for line in stream.getvalue().splitlines()[-2:])
    assert inside["request_id"] == response["X-Request-ID"] and inside["message"] == "已受理 DJ2026000001"
    assert inside["level"] == "INFO" and inside["logger"] == "xinfang.test_request_id"
    assert outside["request_id"] == "-"


def test_django_request_log_lines_carry_the_request_id(client, db, monkeypatch):
    """Django logs a 4xx/5xx response after the middleware has returned: the filter takes the id from the
    request the record names."""
    records = []
    handler = logging.Handler()
    handler.addFilter(logs.RequestIDFilter())
    handler.emit = records.append
    logging.getLogger("django.request").addHandler(handler)
    monkeypatch.setattr("xinfang.core.views.default_storage.exists", lambda name: 1 / 0)
    try:
        response = client.get("/readyz")
    finally:
        logging.getLogger("django.request").removeHandler(handler)
    assert response.status_code == 503
    assert [r.request_id for r in records if r.name == "django.request"] == [response["X-Request-ID"]]


def test_text_logs_carry_the_request_id_by_default():
    config = logs.logging_config(fmt="text", level="INFO")
    assert "%(request_id)s" in config["formatters"]["default"]["format"]
    assert config["handlers"]["console"]["filters"] == ["request_id"]
    assert logs.logging_config(fmt="json", level="INFO")["formatters"]["default"]["()"] is logs.JSONFormatter


def test_the_html_500_page_shows_the_request_id_of_the_log(db, settings, monkeypatch):
    settings.DEBUG = False
    settings.XINFANG_TRUSTED_PROXIES = ["10.0.0.2"]

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("xinfang.core.views.JsonResponse", broken)
    client = Client(raise_request_exception=False)
    response = client.get("/healthz", HTTP_X_REQUEST_ID="nginx-500-abcdef", REMOTE_ADDR="10.0.0.2")
    assert response.status_code == 500 and response["X-Request-ID"] == "nginx-500-abcdef"
    assert (
        "系统出现错误（500）" in response.content.decode() and "nginx-500-abcdef" in response.content.decode()
    )


def test_the_api_500_uses_the_request_id_of_the_response(login, clerk, settings, monkeypatch):
    settings.XINFANG_TRUSTED_PROXIES = ["10.0.0.2"]

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("xinfang.api.routes.worklist.queries.worklist", broken)
    response = login(clerk).get("/api/worklist", HTTP_X_REQUEST_ID="nginx-api-123456", REMOTE_ADDR="10.0.0.2")
    assert response.status_code == 500 and response.json()["request_id"] == "nginx-api-123456"
    assert response["X-Request-ID"] == "nginx-api-123456"


def test_sqlite_runs_in_wal_mode():
    options = settings.DATABASES["default"].get("OPTIONS", {})
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        assert (
            "journal_mode=WAL" in options["init_command"] and "synchronous=NORMAL" in options["init_command"]
        )
    else:
        assert "init_command" not in options
