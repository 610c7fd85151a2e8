"""The task queue's own cost (ADR 0010): enqueue throughput and latency, drain throughput of `xinfang worker`,
and the round trip (enqueue → a running worker picks it up → the result is readable) — for the database backend
on SQLite and PostgreSQL, and for Celery + Redis when `--celery PYTHON` names a Python that has celery and redis
installed (they are not dependencies of the project).

    .venv/bin/python bench/tasks.py [--db sqlite|postgres|both|none] [--n 1000] [--trips 30] [--celery /tmp/venv/bin/python]

The task is `xinfang.core.tasks.ping` (returns at once), so the figures are the queue's overhead alone. SQLite: a
throw-away file; PostgreSQL: database `xinfang_bench_tasks` on $BENCH_PG (default postgres://postgres@127.0.0.1:5432),
created and dropped. Redis: $BENCH_REDIS (default redis://127.0.0.1:6379/15, flushed).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/15")
PG_DB = "xinfang_bench_tasks"


def percentiles(seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return f"p50 {statistics.median(ms):7.1f} ms  p95 {p95:7.1f} ms"


def timed_each(fn, n: int) -> tuple[float, list[float]]:
    """(calls per second, seconds of each call) for `n` calls of `fn`."""
    times = []
    start = time.perf_counter()
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return n / (time.perf_counter() - start), times


def report(label: str, figures: dict) -> None:
    print(f"\n== {label} ==")
    print(f"enqueue            {figures['enqueue_rate']:8.0f} tasks/s   {percentiles(figures['enqueue'])}")
    for workers, rate in figures["drain"].items():
        print(f"drain, {workers} worker(s)  {rate:8.0f} tasks/s   (first to last task finished)")
    for name, trips in figures["round_trip"].items():
        print(f"round trip, {name:<14} {percentiles(trips)}")


# --- the database backend (one subprocess per database: settings are read once) --------------------------------


def database_child(n: int, trips: int) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db.models import Max, Min
    from django_tasks_db.models import DBTaskResult

    from xinfang.core.tasks import ping

    call_command("migrate", "django_tasks_database", verbosity=0)
    DBTaskResult.objects.all().delete()
    rate, enqueue = timed_each(ping.enqueue, n)
    figures = {"enqueue_rate": rate, "enqueue": enqueue, "drain": {}}

    worker = [sys.executable, str(ROOT / "manage.py"), "worker", "--once", "-v", "0"]
    for workers in (1, 2):
        DBTaskResult.objects.all().delete()
        DBTaskResult.objects.bulk_create(
            [DBTaskResult(**_row(ping)) for _ in range(n)]
        )  # the queue filled, so only the draining is timed
        procs = [subprocess.Popen(worker, cwd=ROOT) for _ in range(workers)]
        for p in procs:
            p.wait()
        assert DBTaskResult.objects.successful().count() == n, "not every task ran"
        span = DBTaskResult.objects.aggregate(first=Min("finished_at"), last=Max("finished_at"))
        figures["drain"][workers] = (n - 1) / (span["last"] - span["first"]).total_seconds()

    figures["round_trip"] = {}
    for interval in ("1", "0.1"):
        DBTaskResult.objects.all().delete()
        proc = subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), "worker", "--interval", interval, "-v", "0"], cwd=ROOT
        )
        ping.enqueue()
        _wait(DBTaskResult.objects.all(), 1)  # the worker has started once this first one is done
        times = timed_each(lambda: _round_trip(ping), trips)[1]
        proc.terminate()  # SIGTERM: the graceful stop
        assert proc.wait(timeout=30) == 0, "the worker did not stop cleanly on SIGTERM"
        figures["round_trip"][f"poll {interval} s"] = times
    return figures


def _round_trip(task) -> None:
    result = task.enqueue()
    while not result.is_finished:
        time.sleep(0.005)
        result.refresh()


def _row(task) -> dict:
    from django_tasks_db.models import get_date_max

    return dict(args_kwargs={"args": [], "kwargs": {}}, priority=0, task_path=task.module_path,
                queue_name="default", run_after=get_date_max(), backend_name="default")  # fmt: skip


def _wait(qs, count: int) -> None:
    deadline = time.monotonic() + 60
    while qs.filter(status="SUCCESSFUL").count() < count:
        if time.monotonic() > deadline:
            raise SystemExit("the worker did not start within 60 s")
        time.sleep(0.01)


def child(cmd: list[str], **kwargs) -> dict:
    done = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    if done.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_database(db: str, n: int, trips: int) -> dict:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="xinfang.settings", XINFANG_TASKS="database")
    if db == "sqlite":
        tmp = Path(tempfile.mkdtemp(prefix="xinfang-bench-tasks-"))
        env["DATABASE_URL"] = f"sqlite:///{tmp / 'tasks.sqlite3'}"
    else:
        subprocess.run(["psql", PG, "-qc", f"DROP DATABASE IF EXISTS {PG_DB}"], check=True)
        subprocess.run(["psql", PG, "-qc", f"CREATE DATABASE {PG_DB}"], check=True)
        env["DATABASE_URL"] = f"{PG}/{PG_DB}"
    try:
        return child([sys.executable, __file__, "--child", "database", "--n", str(n), "--trips", str(trips)],
                     env=env, cwd=ROOT)  # fmt: skip
    finally:
        if db == "postgres":
            subprocess.run(["psql", PG, "-qc", f"DROP DATABASE IF EXISTS {PG_DB}"], check=False)


# --- Celery + Redis (in the Python given with --celery) ------------------------------------------------------

CELERY_APP = """
from celery import Celery
app = Celery("bench", broker="{redis}", backend="{redis}")
app.conf.update(worker_prefetch_multiplier=4, task_acks_late=False, result_expires=600)

@app.task
def ping():
    return "pong"
"""


def celery_child(n: int, trips: int) -> dict:
    sys.path.insert(0, os.getcwd())
    import redis
    from celery_bench_app import app, ping

    redis.Redis.from_url(REDIS).flushdb()
    rate, enqueue = timed_each(ping.delay, n)
    figures = {"enqueue_rate": rate, "enqueue": enqueue, "drain": {}}
    app.control.purge()
    for workers in (1, 2):
        results = [ping.delay() for _ in range(n)]  # the queue filled, so only the draining is timed
        worker = "-m celery -A celery_bench_app worker --pool solo --loglevel ERROR --without-gossip"
        worker += " --without-mingle --without-heartbeat"
        procs = [
            subprocess.Popen(
                [sys.executable, *worker.split(), "-n", f"w{i}@%h"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )  # fmt: skip
            for i in range(workers)
        ]
        done = sorted(r.get(timeout=300) and r.date_done for r in results)
        figures["drain"][workers] = (n - 1) / (done[-1] - done[0]).total_seconds()
        if workers == 1:
            figures["round_trip"] = {
                "result backend": timed_each(lambda: ping.delay().get(timeout=30), trips)[1]
            }
        for p in procs:
            p.terminate()
            p.wait(timeout=30)
    return figures


def run_celery(python: str, n: int, trips: int) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="xinfang-bench-celery-"))
    (tmp / "celery_bench_app.py").write_text(CELERY_APP.format(redis=REDIS), encoding="utf-8")
    return child([python, __file__, "--child", "celery", "--n", str(n), "--trips", str(trips)], cwd=tmp)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both", "none"], default="both")
    parser.add_argument("--n", type=int, default=1000, help="tasks enqueued and drained")
    parser.add_argument("--trips", type=int, default=30, help="round trips timed")
    parser.add_argument("--celery", metavar="PYTHON", help="a Python with celery and redis installed")
    parser.add_argument("--child", choices=["database", "celery"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        if args.child == "database":
            sys.path.insert(0, str(ROOT))
            figures = database_child(args.n, args.trips)
        else:
            figures = celery_child(args.n, args.trips)
        print(json.dumps(figures))
        return
    print(f"{args.n} tasks (xinfang.core.tasks.ping), {args.trips} round trips, {os.cpu_count()} CPUs")
    for db in {"both": ["sqlite", "postgres"], "none": []}.get(args.db, [args.db]):
        report(
            f"database backend on {'SQLite' if db == 'sqlite' else 'PostgreSQL'}",
            run_database(db, args.n, args.trips),
        )
    if args.celery:
        report("Celery 5 + Redis (solo pool)", run_celery(args.celery, args.n, args.trips))


if __name__ == "__main__":
    main()
