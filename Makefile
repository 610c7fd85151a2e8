# Xinfang — the two commands are `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
XF := $(BIN)/xinfang
VENDOR := xinfang/static/vendor
NPM_PACKAGES := echarts@6.1.0 htmx.org@2.0.11 axe-core@4.14.1
# issue 13: the generated secret_key and the wheelhouse live under the var directory
VAR := $(or $(XINFANG_VAR_DIR),var)
WHEELHOUSE := $(VAR)/wheelhouse

.PHONY: run test test-dates install install-test vendor browser lint migrate demo bench clean
.PHONY: dev static wheelhouse  # production stack (issue 13)

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "需要 Python ≥ 3.11"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml requirements.lock
	$(BIN)/pip install -q -c requirements.lock -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install -q -c requirements.lock -e '.[test]'
	touch $@

install: $(VENV)/.installed vendor
install-test: $(VENV)/.installed-test vendor browser

# Front-end assets (ECharts, htmx, axe-core) come from the npm registry at install time: no CDN at run time.
vendor: $(VENDOR)/.stamp
$(VENDOR)/.stamp: Makefile
	@command -v npm >/dev/null || { echo "需要 npm（Node.js）来安装前端资源 ECharts/htmx"; exit 1; }
	rm -rf var/npm && mkdir -p var/npm $(VENDOR)
	cd var/npm && npm pack --silent $(NPM_PACKAGES) >/dev/null
	cd var/npm && for f in *.tgz; do d=$${f%.tgz}; mkdir -p $$d && tar -xzf $$f -C $$d; done
	cp var/npm/echarts-*/package/dist/echarts.min.js $(VENDOR)/
	cp var/npm/htmx.org-*/package/dist/htmx.min.js $(VENDOR)/
	cp var/npm/axe-core-*/package/axe.min.js $(VENDOR)/
	touch $@

# Browser tests drive Debian's chromium (with a CJK font for readable screenshots); as root we install
# what is missing.
browser:
	@missing=""; [ -x /usr/bin/chromium ] || missing="chromium"; \
	ls /usr/share/fonts/opentype/noto/NotoSansCJK* >/dev/null 2>&1 || missing="$$missing fonts-noto-cjk"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "警告：缺少 $$missing，浏览器测试可能被跳过（以 root 运行 make test 可自动安装）"; fi; fi

migrate: install $(VAR)/secret_key $(VAR)/pii_keys
	$(XF) migrate --noinput

demo: migrate
	$(XF) load_demo --i-know-this-is-a-demo

# Production stack (issue 13, docs/deploy.md). `make run` serves through gunicorn (xinfang/gunicorn_conf.py:
# WEB_CONCURRENCY, GUNICORN_THREADS, GUNICORN_TIMEOUT, GUNICORN_MAX_REQUESTS, GUNICORN_BIND) on the embedded
# SQLite database in WAL mode, the static files collected with hashed names and served by whitenoise.
# `make dev` keeps Django's development server (autoreload).
run: demo static
	XINFANG_STATIC_MANIFEST=true $(BIN)/gunicorn --config python:xinfang.gunicorn_conf

dev: demo
	$(XF) runserver 127.0.0.1:8000

static: install
	XINFANG_STATIC_MANIFEST=true $(XF) collectstatic --noinput --verbosity 0

# A random SECRET_KEY for this installation, written once (mode 600); the settings read it when neither
# SECRET_KEY nor SECRET_KEY_FILE is set. Without a real key the checks refuse to start (xinfang.E001).
$(VAR)/secret_key:
	@mkdir -p $(VAR)
	@umask 077 && $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(64))' > $@.tmp && mv $@.tmp $@
	@echo "已生成 $@（本机的 SECRET_KEY）"

# pii (issue 14): the key that encrypts ID and phone numbers at rest, written once (mode 600) as "k1:<base64>";
# read when neither XINFANG_PII_KEYS nor XINFANG_PII_KEYS_FILE is set. Keep it with the backups: without it
# the encrypted columns cannot be read (xinfang.E004 refuses to start without a key, DEBUG off).
$(VAR)/pii_keys:
	@mkdir -p $(VAR)
	@umask 077 && $(PYTHON) -c 'import base64, os; print("k1:" + base64.b64encode(os.urandom(32)).decode())' > $@.tmp && mv $@.tmp $@
	@echo "已生成 $@（本机的个人信息加密密钥）"

# Offline installation (a government intranet without PyPI or npm): wheels for the project — which carries
# the vendored front-end assets in xinfang/static/vendor — and every pinned dependency. Install with
#   python3 -m venv .venv && .venv/bin/pip install --no-index --find-links $(WHEELHOUSE) xinfang
wheelhouse: install vendor
	rm -rf $(WHEELHOUSE) build && mkdir -p $(WHEELHOUSE)
	$(BIN)/pip wheel --quiet --wheel-dir $(WHEELHOUSE) --constraint requirements.lock .
	@du -sh $(WHEELHOUSE); ls $(WHEELHOUSE) | wc -l

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: install-test lint $(VAR)/secret_key $(VAR)/pii_keys
	env -u DATABASE_URL $(XF) makemigrations --check --dry-run
	@echo "== tests on SQLite =="
	env -u DATABASE_URL $(BIN)/pytest
	@if [ -n "$$DATABASE_URL" ]; then echo "== tests on PostgreSQL =="; $(BIN)/pytest; fi
	$(MAKE) --no-print-directory test-dates

# The suite pins "today" (tests/conftest.py); the clock-sensitive tests also run on days that have broken
# date arithmetic before: the eve of Spring Festival, the eve of National Day and New Year's Eve (SQLite).
CLOCK_TESTS := tests/workflow/test_deadline_cases.py tests/petitions/test_deadlines.py \
	tests/petitions/test_lifecycle.py tests/petitions/test_demo.py tests/petitions/test_supervision.py \
	tests/analytics/test_kpis.py tests/dashboards/test_queries.py tests/core
TEST_DATES := 2026-02-16 2026-09-30 2026-12-31
test-dates: install-test
	@set -e; for d in $(TEST_DATES); do echo "== clock-sensitive tests on $$d (SQLite) =="; \
	  env -u DATABASE_URL XINFANG_TEST_TODAY=$$d $(BIN)/pytest $(CLOCK_TESTS); done

bench: install
	$(BIN)/python bench/disclosure.py

clean:
	rm -rf $(VENV) var $(VENDOR)

# Background tasks (issue 13, docs/operations.md): `make worker` runs the task queue's worker in the foreground;
# `make run` also starts one in the background (log var/worker.log). Ctrl-C stops it with the web server (same
# process group; it finishes its current task first), or `kill $$(cat var/worker.pid)`.
WORKER_ARGS ?=
WORKER_DIR := $(or $(XINFANG_VAR_DIR),var)
.PHONY: worker worker-background
worker: migrate
	$(XF) worker $(WORKER_ARGS)
run: worker-background
worker-background: migrate
	@if [ -f $(WORKER_DIR)/worker.pid ] && kill -0 $$(cat $(WORKER_DIR)/worker.pid) 2>/dev/null; then \
	  echo "xinfang worker 已在运行（PID $$(cat $(WORKER_DIR)/worker.pid)）"; \
	else $(XF) worker $(WORKER_ARGS) >> $(WORKER_DIR)/worker.log 2>&1 & echo $$! > $(WORKER_DIR)/worker.pid; \
	  echo "已在后台启动 xinfang worker（日志 $(WORKER_DIR)/worker.log）"; fi
