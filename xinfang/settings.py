"""Settings for Xinfang. One file; everything configurable comes from the environment."""

from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

from xinfang.core import files  # storage settings (STORAGES below)
from xinfang.core.env import env_bool, env_int, env_list, env_str
from xinfang.core.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("XINFANG_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

# SECRET_KEY from SECRET_KEY or SECRET_KEY_FILE (core.env), else the key `make run` wrote once to
# var/secret_key (mode 600), else the development key — which a system check refuses unless DEBUG is on
# (core.checks: xinfang.E001). Nothing falls back silently in production.
DEV_SECRET_KEY = "dev-only-insecure-key-change-me-in-production-0123456789"
SECRET_KEY_PATH = VAR_DIR / "secret_key"
SECRET_KEY = env_str("SECRET_KEY") or (
    SECRET_KEY_PATH.read_text(encoding="utf-8").strip() if SECRET_KEY_PATH.is_file() else DEV_SECRET_KEY
)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_str("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "csp",
    "ninja",  # serves its bundled Swagger UI for /api/docs (no CDN)
    "xinfang.core",
    "xinfang.accounts",
    "xinfang.petitions",
    "xinfang.casework",
    "xinfang.portal",
    "xinfang.api",
    "xinfang.analytics",
    "xinfang.finance",
    "xinfang.exchange",
]

MIDDLEWARE = [
    "xinfang.core.logs.RequestIDMiddleware",  # every response and log line carries the request id
    "xinfang.core.middleware.RequestSizeLimitMiddleware",  # first: refuses an oversized body before it is read
    "xinfang.core.middleware.NulCharacterMiddleware",  # %00 in a path or query: 400 (PostgreSQL cannot compare it)
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "xinfang.core.middleware.PrivateResponseMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "xinfang.accounts.totp.TwoFactorEnrolmentMiddleware",  # an administrator without a second factor only enrols
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "xinfang.urls"
WSGI_APPLICATION = "xinfang.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "xinfang" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# SQLite under var/ by default; PostgreSQL (production) when DATABASE_URL is set.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'xinfang.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0),  # persistent connections: set e.g. 60 in production
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Several gunicorn workers on the embedded database: readers do not wait for the writer (WAL), and a
    # commit syncs at checkpoints only (NORMAL, safe in WAL mode).
    DATABASES["default"]["OPTIONS"]["init_command"] = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL"
    # A transaction takes the write lock when it begins (BEGIN IMMEDIATE), so it waits up to `timeout` for
    # another worker's write. A deferred one that read first and then writes while another worker committed
    # gets "database is locked" at once, without waiting (WAL snapshot): a clerk's registration failed with
    # 503 while a colleague merely opened a matter (its audit row).
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    # petitions.Matter's index matter_unit_id carries INCLUDE columns for PostgreSQL; SQLite builds it on the
    # key columns alone, which is all it needs there — not a warning on every command.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]

# Issue 14 (bench/load): a persistent connection that broke (PostgreSQL restarted) is replaced at the next
# request instead of failing it; while the database is down requests get 503 (core.unavailable).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "xinfang.accounts.passwords.CharacterClassValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
# Chinese only: the project's own texts are Chinese, so a browser asking for English (Accept-Language, read by
# LocaleMiddleware) got Django's form errors in English among them ("This field is required." on the portal).
LANGUAGES = [("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "xinfang" / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "xinfang" / "static"]  # css and the npm-installed vendor/ assets
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = VAR_DIR / "media"  # uploads and generated documents: never served directly
WHITENOISE_USE_FINDERS = True
# Files (issue 13; xinfang/core/files.py, docs/operations.md "Files"): attachments, stored notices and the
# finance builds go through Django's storage API only. XINFANG_STORAGE=local (default): MEDIA_ROOT;
# s3: a private bucket of an S3-compatible object store (django-storages), XINFANG_S3_* and AWS_* variables.
STORAGES = {
    "default": files.default_storage_settings(env_str),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/casework/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60)  # 等保: idle sessions end
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Content-Security-Policy (django-csp 4): nothing inline, nothing from elsewhere. htmx's indicator <style> and its
# re-applying of style attributes on swap are off (meta htmx-config in base.html; indicator rules in app.css);
# ECharts draws on canvas and needs no eval. docs/security.md.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Request size: the largest legitimate request is a portal submission of 5 attachments of at most 10 MB each
# (petitions.citizens), plus the form. Anything declared larger is refused with 413 before its body is read
# (core.middleware; nginx's client_max_body_size in front). Bodies above 2.5 MB are not held in memory.
XINFANG_MAX_REQUEST_BYTES = env_int("XINFANG_MAX_REQUEST_MB", 51) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # non-file fields: Django's default, stated
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # larger uploads stream to a temporary file

# Login protection (等保 2.0 第三级 practice): lock after N failures for M seconds.
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5)
LOGIN_LOCK_SECONDS = env_int("LOGIN_LOCK_SECONDS", 300)
# …and an address after this many consecutive failures, whatever names they tried (an office shares one address).
LOGIN_MAX_FAILURES_PER_IP = env_int("LOGIN_MAX_FAILURES_PER_IP", 20)
# The citizen portal's limits per client address (portal/throttle.py): online submissions, and failed
# 登记编号 + 查询码 lookups, each within a sliding window of so many seconds.
PORTAL_SUBMIT_MAX = env_int("PORTAL_SUBMIT_MAX", 5)
PORTAL_SUBMIT_WINDOW_SECONDS = env_int("PORTAL_SUBMIT_WINDOW_SECONDS", 3600)
PORTAL_TRACK_FAILURES_MAX = env_int("PORTAL_TRACK_FAILURES_MAX", 10)
PORTAL_TRACK_WINDOW_SECONDS = env_int("PORTAL_TRACK_WINDOW_SECONDS", 3600)
# Security audit log retention (等保 安全审计; 《网络安全法》第二十一条: logs kept ≥ 6 months): no audit row
# younger than this many days is removed; `xinfang archive_audit` moves older ones to a checksummed file.
# At least 180 (a system check refuses less; the database triggers hold 180 days whatever this says).
XINFANG_AUDIT_RETENTION_DAYS = env_int("XINFANG_AUDIT_RETENTION_DAYS", 365)

# Statutory clocks: "natural" = calendar days, rolled forward past statutory holidays (default);
# "working" = working days using the official holiday and make-up-workday (调休) schedule.
XINFANG_CALENDAR = env_str("XINFANG_CALENDAR", "natural")
XINFANG_DUE_SOON_DAYS = env_int("XINFANG_DUE_SOON_DAYS", 3)
# A visit counts as 集体访 from this head count on, unless the clerk says otherwise (domain-rules §2: practice
# is 5 or more persons). Stored on the registration at intake; the statistics read the stored flag.
XINFANG_COLLECTIVE_MIN_PERSONS = env_int("XINFANG_COLLECTIVE_MIN_PERSONS", 5)
# The county's slice of an item that comes down from a higher level (domain-rules §1.4: 县级 4 日 under the
# 2014 满意度评价办法, unconfirmed for 2022): its triage clock runs this many days from receipt; 0 = the
# ordinary 15-day clock.
XINFANG_TRIAGE_COUNTY_SLICE_DAYS = env_int("XINFANG_TRIAGE_COUNTY_SLICE_DAYS", 4)
# Dashboards and KPIs read the summary tables (analytics/tallies.py) when a figure has at most one of the
# 属地 / 责任单位 / 内容分类 filters; false reads every figure from the records.
XINFANG_TALLIES = env_bool("XINFANG_TALLIES", True)
# Base address of the video-meeting service used for 视频接访 sessions (empty: no link).
XINFANG_VIDEO_URL = env_str("XINFANG_VIDEO_URL", "")
XINFANG_SENDER = env_str("XINFANG_SENDER", "xinfang.core.notify.ConsoleSender")
# search (issue 12): the key of the keyed hashes of ID and mobile numbers (petitions/pii.py); empty: derived
# from SECRET_KEY (development). Changing it means recomputing the stored hashes.
XINFANG_PII_HASH_KEY = env_str("XINFANG_PII_HASH_KEY", "")
# pii (issue 14): the keys that encrypt ID and phone numbers at rest, "id:<base64 of 32 bytes>,…", the first
# encrypts, all decrypt (core/fieldcrypt.py); from XINFANG_PII_KEYS(_FILE) or the file `make run` writes once.
# Empty: a key derived from SECRET_KEY, refused with DEBUG off (xinfang.E004).
PII_KEYS_PATH = VAR_DIR / "pii_keys"
XINFANG_PII_KEYS = env_str("XINFANG_PII_KEYS") or (
    PII_KEYS_PATH.read_text(encoding="utf-8").strip() if PII_KEYS_PATH.is_file() else ""
)

# Log lines carry the request id (core.logs); LOG_FORMAT=json writes one JSON object per line.
LOGGING = logging_config(fmt=env_str("LOG_FORMAT", "text"), level=env_str("LOG_LEVEL", "WARNING"))

# --- Production stack (issue 13; docs/deploy.md, deploy/xinfang.env.example) ---
# The reverse proxies whose X-Forwarded-For / X-Request-ID are believed (addresses or CIDRs; core.net).
XINFANG_TRUSTED_PROXIES = env_list("XINFANG_TRUSTED_PROXIES")
# 查询码 digests: "id:secret,id:secret", the first signs, all verify (core.keyring). Empty: SECRET_KEY, no id.
XINFANG_QUERY_CODE_KEYS = env_str("XINFANG_QUERY_CODE_KEYS")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# HTTPS (behind nginx, which terminates TLS): redirect, secure cookies, HSTS.
XINFANG_HTTPS = env_bool("XINFANG_HTTPS", False)
if XINFANG_HTTPS:
    if XINFANG_TRUSTED_PROXIES:  # the proxy says which scheme the client used; nobody else may
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]  # probed over plain HTTP on the host itself
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("XINFANG_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("XINFANG_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("XINFANG_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # The browsers' preload list takes public domains only; an intranet host cannot be on it, so not
        # asking for it is a decision, not an omission (docs/deploy.md).
        SILENCED_SYSTEM_CHECKS = [*globals().get("SILENCED_SYSTEM_CHECKS", []), "security.W021"]
# Static files: in production `collectstatic` (make run, deploy) with hashed, compressed names served by
# whitenoise; the finders (no collectstatic) otherwise, e.g. in tests.
if env_bool("XINFANG_STATIC_MANIFEST", False):
    WHITENOISE_USE_FINDERS = False
    STORAGES = {
        **globals().get("STORAGES", {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}),
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

# --- Background tasks (issue 13; docs/operations.md "Background tasks", ADR 0010) ---
# Django's Tasks API (the django-tasks backport) on its database backend: the queue is a table in our own
# database, so nothing else has to run but `xinfang worker`. XINFANG_TASKS=immediate runs each task where it is
# enqueued instead (no worker; no deferred retries) — for a single-process trial install.
INSTALLED_APPS += ["django_tasks", "django_tasks_db"]
TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
XINFANG_TASKS = env_str("XINFANG_TASKS", "database")
if XINFANG_TASKS not in TASK_BACKENDS:
    raise ValueError(f"XINFANG_TASKS 只能是 database 或 immediate，不能是 {XINFANG_TASKS!r}")
TASKS = {"default": {"BACKEND": TASK_BACKENDS[XINFANG_TASKS]}}

# --- Several machines (issue 13; docs/deploy.md "Beyond one machine") ---
# PgBouncer in transaction mode between the app servers and PostgreSQL: a server-side cursor lives in one
# server session, which a pooler does not keep for us (QuerySet.iterator() outside a transaction would lose it).
if env_bool("DB_DISABLE_SERVER_SIDE_CURSORS", False):
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
# A PostgreSQL read replica for the analytics dashboards' reads (core.dbrouters), opt-in by its URL; the
# session, the user, the portal, the queue and every write stay on the primary. Tests read it as the primary.
if env_str("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = {
        **dj_database_url.parse(env_str("DATABASE_REPLICA_URL"), conn_max_age=env_int("DB_CONN_MAX_AGE", 0)),
        "DISABLE_SERVER_SIDE_CURSORS": DATABASES["default"].get("DISABLE_SERVER_SIDE_CURSORS", False),
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["xinfang.core.dbrouters.ReplicaRouter"]
    MIDDLEWARE = [*MIDDLEWARE, "xinfang.core.dbrouters.ReplicaReadsMiddleware"]
    XINFANG_REPLICA_PATHS = env_list("XINFANG_REPLICA_PATHS") or ["/analytics/"]
