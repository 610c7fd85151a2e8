"""gunicorn configuration: `gunicorn --config python:xinfang.gunicorn_conf` (make run, deploy/xinfang-web.service).

Everything comes from the environment (docs/deploy.md):

| variable                 | default          |                                                               |
|--------------------------|------------------|---------------------------------------------------------------|
| GUNICORN_BIND            | 127.0.0.1:8000   | address:port or unix:/run/xinfang/web.sock (nginx in front)   |
| WEB_CONCURRENCY          | 2                | worker processes (about 2 × cores on a dedicated host)        |
| GUNICORN_THREADS         | 2                | threads per worker                                            |
| GUNICORN_TIMEOUT         | 60               | seconds before a silent worker is restarted (disclosure build) |
| GUNICORN_MAX_REQUESTS    | 1000             | a worker is replaced after so many requests (± 10 % jitter)   |

Before it serves, the master runs Django's system checks: an error (a missing SECRET_KEY, a malformed key
list …) stops the start with its message instead of serving with an unsafe configuration."""

import io
import os

from gunicorn.glogging import Logger

from xinfang.core.env import env_int, env_list, env_str
from xinfang.core.logs import JSONFormatter

wsgi_app = "xinfang.wsgi:application"
bind = [env_str("GUNICORN_BIND", "127.0.0.1:8000")]
workers = env_int("WEB_CONCURRENCY", 2)
threads = env_int("GUNICORN_THREADS", 2)
timeout = env_int("GUNICORN_TIMEOUT", 60)
graceful_timeout = 30
keepalive = 5
control_socket_disable = True  # stopped and reloaded by signals (systemd), no control socket in $HOME
max_requests = env_int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = max_requests // 10
# Only the proxies we trust may say which scheme the client used (X-Forwarded-Proto); core.net reads
# X-Forwarded-For with the same list.
forwarded_allow_ips = ",".join(env_list("XINFANG_TRUSTED_PROXIES")) or "127.0.0.1"
# The upload limit is enforced in the application (core.middleware) and in nginx; here only header sanity.
limit_request_field_size = 16_384
accesslog = "-"
errorlog = "-"
loglevel = env_str("GUNICORN_LOG_LEVEL", "info")
if env_str("LOG_FORMAT") == "json":
    logger_class = "xinfang.gunicorn_conf.JSONErrorLogger"
    access_log_format = (
        '{"time": "%(t)s", "logger": "gunicorn.access", "remote": "%(h)s", "method": "%(m)s", '
        '"path": "%(U)s", "status": %(s)s, "bytes": "%(B)s", "duration_ms": %(M)s, '
        '"request_id": "%({x-request-id}o)s"}'
    )
else:
    access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms [%({x-request-id}o)s]'


class JSONErrorLogger(Logger):
    """LOG_FORMAT=json: gunicorn's own messages (start, workers, errors) as JSON lines like the application's;
    the access log is already a JSON line (access_log_format)."""

    def _set_handler(self, log, output, fmt, stream=None):
        super()._set_handler(log, output, JSONFormatter() if log is self.error_log else fmt, stream=stream)


def on_starting(server):
    """Django's system checks in the master, before any worker starts."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")
    import django
    from django.core.management import call_command

    django.setup()
    # Errors raise (gunicorn exits with the message), warnings go to stderr; "no issues" is not worth a line.
    call_command("check", stdout=io.StringIO())


def post_worker_init(worker):
    """Each worker loads jieba's dictionary (about half a second of CPU) as it starts, before it takes requests —
    not in the first registration or search it serves (issue 14). A worker replaced after max_requests loads it
    again; the application is not preloaded in the master, so that a reload (HUP) still loads new code."""
    from xinfang.petitions import search

    search.load_dictionary()
