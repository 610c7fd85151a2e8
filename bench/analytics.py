"""Dashboard and KPI query times at province scale, next to hand-written SQL (issue 5, "Scale").

Goal: every dashboard query under 200 ms and within 2x of a hand-written single SQL GROUP BY on the
same data. Prints figures; nothing here asserts a time.

    .venv/bin/python bench/analytics.py [--rows 1000000] [--db sqlite|postgres|both] [--reuse]

Each database runs in its own subprocess (clean settings): SQLite `var/bench/analytics.sqlite3`,
PostgreSQL `xinfang_bench` on $BENCH_PG (default postgres://postgres@127.0.0.1:5432), created if
missing. Without --reuse (or when the row count differs) the database is rebuilt: migrate, then a
synthetic data set written with raw bulk inserts (COPY on PostgreSQL, executemany on SQLite), not with
the services: 1 province, 20 counties x (10 departments + 10 townships), `load_codes()`, N matters with
one registration each plus 5 % repeat registrations, over 3 years (2022-2024), with the dates, clocks
and flags the KPIs read, the register/triage/accept Events, and evaluations for about half the matters.

Then, for the year 2024 county-wide and for one township, every query the dashboard page runs is timed
(best of 5 after a warm-up, results evaluated fully) next to a hand-written SQL statement giving the same
figures; the script checks that both give the same numbers, prints the table and the plan of the
slowest ORM statement.
"""

import argparse
import os
import random
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SQLITE_PATH = ROOT / "var" / "bench" / "analytics.sqlite3"
PG_SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
PG_DB = "xinfang_bench"
YEARS = (2022, 2023, 2024)
TODAY = date(2024, 12, 31)  # "now" of the data set and of every query
TZ_HOURS = 8  # Asia/Shanghai (no DST since 1991)
GOAL_MS = 200.0
GOAL_RATIO = 2.0
SEED = 20240501


# --- parent: one subprocess per database ------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000, help="matters (= first registrations)")
    ap.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    ap.add_argument("--reuse", action="store_true", help="keep the data if the row count matches")
    ap.add_argument("--child", choices=("sqlite", "postgres"), help=argparse.SUPPRESS)
    ap.add_argument("--repeat", type=int, default=5, help="timed runs per query (best is printed)")
    args = ap.parse_args()
    if args.child:
        return child(args)
    dbs = ("sqlite", "postgres") if args.db == "both" else (args.db,)
    t0 = time.perf_counter()
    rc = 0
    for db in dbs:
        cmd = [
            sys.executable,
            __file__,
            "--child",
            db,
            "--rows",
            str(args.rows),
            "--repeat",
            str(args.repeat),
        ]
        if args.reuse:
            cmd.append("--reuse")
        rc |= subprocess.call(cmd)
    print(f"\nTotal wall time: {time.perf_counter() - t0:.0f} s")
    return rc


# --- child: set up Django on the dedicated database --------------------------------------------------------


def child(args):
    if args.child == "sqlite":
        SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
        if not args.reuse and SQLITE_PATH.exists():
            SQLITE_PATH.unlink()
        os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE_PATH}"
    else:
        _pg_database(drop=not args.reuse)
        os.environ["DATABASE_URL"] = f"{PG_SERVER}/{PG_DB}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "xinfang.settings"
    os.environ["TIME_ZONE"] = "Asia/Shanghai"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    print(f"\n=== {connection.vendor} ({connection.settings_dict['NAME']}) ===", flush=True)
    t = time.perf_counter()
    call_command("migrate", verbosity=0, skip_checks=True)
    print(f"migrate: {time.perf_counter() - t:.1f} s", flush=True)
    from xinfang.petitions.models import Registration

    expected = args.rows + args.rows // 20
    if Registration.objects.count() != expected:
        if Registration.objects.exists():
            print("row count differs: rebuilding")
            _truncate()
        t = time.perf_counter()
        Generator(args.rows).load()
        print(f"generate + load {expected:,} registrations: {time.perf_counter() - t:.1f} s", flush=True)
    else:
        print(f"reusing {expected:,} registrations")
    run_queries(args.repeat)
    return 0


def _pg_database(drop: bool):
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as c:
        exists = c.execute("SELECT 1 FROM pg_database WHERE datname = %s", (PG_DB,)).fetchone()
        if exists and drop:
            c.execute(f"DROP DATABASE {PG_DB} WITH (FORCE)")
            exists = None
        if not exists:
            c.execute(f"CREATE DATABASE {PG_DB}")


def _truncate():
    from django.db import connection

    from xinfang.petitions.models import Code, Evaluation, Event, Matter, Registration, Unit

    with connection.cursor() as cur:
        for m in (Evaluation, Event, Registration, Matter, Code, Unit):
            cur.execute(f"DELETE FROM {m._meta.db_table}")


# --- synthetic data --------------------------------------------------------------------------------------

CHANNELS = (("letter", 25), ("phone", 10), ("visit", 30), ("online", 27), ("video", 3), ("assigned", 5))
CATEGORIES = ("suggestion", "accusation", "claim", "consult")
TRIAGE = (("forward", 62), ("assign", 20), ("redirect_legal", 5), ("redirect_discipline", 2),
          ("redirect_other", 5), ("decline", 5), ("refuse_repeat", 1))  # fmt: skip
REDIRECT_STATE = {
    "redirect_legal": "redirected_legal",
    "redirect_discipline": "redirected_discipline",
    "redirect_other": "redirected_other",
    "decline": "not_accepted",
    "refuse_repeat": "no_longer_accepted",
}


def _weighted(pairs):
    out = []
    for value, weight in pairs:
        out += [value] * weight
    return out


class Generator:
    """Deterministic (seeded) rows; dates as ISO strings, datetimes in UTC."""

    def __init__(self, rows: int):
        from django.db import connection

        self.rows = rows
        self.pg = connection.vendor == "postgresql"
        self.rnd = random.Random(SEED)

    # units and codes through the ORM (small), the rest raw
    def _units(self):
        from xinfang.petitions.models import Unit

        K = Unit.Kind
        province = Unit.objects.create(code="51", name="某省", kind=K.PROVINCE)
        Unit.objects.create(code="51XFJ", name="县信访局", kind=K.BUREAU, parent=province)
        handling, townships, county_govs = [], [], []
        for c in range(20):
            cc = f"51{c + 1:04d}"
            gov = Unit.objects.create(
                code=cc, name=f"第{c + 1}县委县政府", kind=K.COUNTY_GOV, parent=province
            )
            county_govs.append(gov.pk)
            new = [Unit(code=f"{cc}D{d:02d}", name=f"第{c + 1}县部门{d}", kind=K.DEPARTMENT, parent=gov)
                   for d in range(10)]  # fmt: skip
            new += [Unit(code=f"{cc}{100 + t}", name=f"第{c + 1}县乡镇{t}", kind=K.TOWNSHIP, parent=gov)
                    for t in range(10)]  # fmt: skip
            Unit.objects.bulk_create(new)
        for u in Unit.objects.filter(kind__in=(K.DEPARTMENT, K.TOWNSHIP)).values("pk", "kind"):
            handling.append(u["pk"])
            if u["kind"] == K.TOWNSHIP:
                townships.append(u["pk"])
        legal = Unit.objects.create(code="51ZF", name="政法委", kind=K.LEGAL, parent=province).pk
        discipline = Unit.objects.create(code="51JW", name="纪委监委", kind=K.DISCIPLINE, parent=province).pk
        return handling, townships, county_govs, legal, discipline

    def _codes(self):
        from xinfang.petitions.codes import load_codes
        from xinfang.petitions.models import Code

        load_codes()
        purposes = list(Code.objects.filter(table="purpose").values_list("pk", flat=True))
        content = list(Code.objects.filter(table="content").values_list("pk", flat=True))
        return purposes, content

    def _dt(self, d: date, seconds: int) -> str:
        """Local date + seconds after local midnight -> UTC timestamp text."""
        utc = datetime(d.year, d.month, d.day) + timedelta(seconds=seconds - TZ_HOURS * 3600)
        return utc.strftime("%Y-%m-%d %H:%M:%S") + ("+00" if self.pg else "")

    def load(self):
        from django.db import connection, transaction

        from xinfang.petitions.models import Evaluation, Event, Matter, Registration

        t = time.perf_counter()
        if not self.pg:
            with connection.cursor() as cur:
                cur.execute("PRAGMA journal_mode = OFF")  # a throw-away bulk load
                cur.execute("PRAGMA synchronous = OFF")
                cur.execute("PRAGMA cache_size = -2000000")  # 2 GB: index inserts stay in memory
        handling, townships, county_govs, legal, discipline = self._units()
        purposes, content = self._codes()
        rnd = self.rnd
        channels, triage = _weighted(CHANNELS), _weighted(TRIAGE)
        start = date(YEARS[0], 1, 1)
        span = (date(YEARS[-1], 12, 31) - start).days + 1
        days = sorted(rnd.randrange(span) for _ in range(self.rows))  # matters in registration order
        iso = {}

        def s(d):  # date -> ISO text, cached
            if d is None:
                return None
            v = iso.get(d)
            if v is None:
                v = iso[d] = d.isoformat()
            return v

        m_cols = ["id", "number", "title", "category", "purpose_id", "content_class_id", "township_id", "state",
                  "version", "registered_at", "registered_on", "handling_unit_id", "forwarded_on",
                  "is_assignment", "received_by_unit_on", "accepted_on", "handle_due", "extension_days",
                  "outcome", "replied_on", "delivered_on", "delivery_method", "review_outcome", "closed_on",
                  "eval_bureau_due", "eval_unit_due", "clock", "clock_due", "is_major_urgent", "is_legal",
                  "is_simple", "is_confidential", "accused_person", "repeat_of_id"]  # fmt: skip
        if _has_triaged_on():
            m_cols.append("triaged_on")
        r_cols = ["id", "number", "matter_id", "channel", "received_at", "registered_at", "disposition",
                  "head_count", "is_collective", "is_leapfrog", "place", "content", "request", "facts",
                  "external_number", "query_code_hash", "outcome", "site"]  # fmt: skip
        e_cols = ["matter_id", "kind", "action", "from_state", "to_state", "at", "unit_id", "note", "is_public",
                  "data"]  # fmt: skip
        v_cols = ["matter_id", "target", "unit_id", "value", "reason", "text", "at"]
        matters, regs, events, evals = [], [], [], []
        one = timedelta(days=1)
        for i in range(self.rows):
            mid = i + 1
            reg_day = start + days[i] * one
            sec = 8 * 3600 + rnd.randrange(10 * 3600)
            reg_at = self._dt(reg_day, sec)
            age = (TODAY - reg_day).days
            channel = rnd.choice(channels)
            county = rnd.randrange(20)
            township = townships[county * 10 + rnd.randrange(10)] if rnd.random() < 0.9 else None
            is_legal = rnd.random() < 0.05
            repeat_of = rnd.randrange(1, mid) if mid > 100 and rnd.random() < 0.03 else None
            state, clock, clock_due = "registered", "TRIAGE", reg_day + 15 * one
            hu = fwd = rbu = acc = hdue = rep = dlv = closed = ebd = eud = None
            outcome = dmethod = ""
            ext = 0
            triaged = None
            regs.append((mid, f"R{mid:09d}", mid, channel, self._dt(reg_day - rnd.randrange(3) * one, sec - 600),
                         reg_at, "new", 1 if rnd.random() < 0.97 else rnd.randrange(5, 60),
                         False, rnd.random() < 0.02, "", "反映内容", "", "", "", "", "", ""))  # fmt: skip
            if channel == "online" and age < 5 and rnd.random() < 0.5:
                state, clock, clock_due = "received", "", None
            else:
                events.append((mid, "matter:register", "register", "received", "registered", reg_at, None, "",
                               False, "{}"))  # fmt: skip
                # bureau triage: mostly within 15 days, some late, some not yet
                lag = rnd.randrange(12) if rnd.random() < 0.9 else rnd.randrange(12, 40)
                if rnd.random() < 0.01 or reg_day + lag * one > TODAY:
                    lag = None
                if lag is not None:
                    action = rnd.choice(triage)
                    if is_legal and rnd.random() < 0.7:
                        action = "redirect_legal"
                    triaged = reg_day + lag * one
                    events.append((mid, f"matter:{action}", action, "registered", REDIRECT_STATE.get(action, action + "ed"),
                                   self._dt(triaged, 9 * 3600 + rnd.randrange(9 * 3600)), None, "", False, "{}"))  # fmt: skip
                    if action in REDIRECT_STATE:
                        state, clock, clock_due, closed = REDIRECT_STATE[action], "", None, triaged
                        hu = (
                            legal
                            if action == "redirect_legal"
                            else discipline
                            if action == "redirect_discipline"
                            else None
                        )
                    else:
                        fwd = triaged
                        hu = (county_govs[county] if rnd.random() < 0.05
                              else handling[county * 20 + rnd.randrange(20)])  # fmt: skip
                        state = "forwarded" if action == "forward" else "assigned"
                        clock, clock_due = "NOTIFY", fwd + 15 * one
                        rbu = fwd + rnd.randrange(3) * one
                        alag = rnd.randrange(20) if rnd.random() < 0.9 else rnd.randrange(20, 60)
                        if rnd.random() < 0.97 and fwd + alag * one <= TODAY:
                            acc = fwd + alag * one
                            state, ext = "accepted", 30 if rnd.random() < 0.08 else 0
                            hdue = acc + (60 + ext) * one
                            clock, clock_due = "HANDLE", hdue
                            ebd = acc + 30 * one
                            events.append((mid, "matter:accept", "accept", "received_by_unit", "accepted",
                                           self._dt(acc, 10 * 3600), None, "", True, "{}"))  # fmt: skip
                            if ext:
                                state = "extended"
                            elif rnd.random() < 0.3:
                                state = "investigating"
                            rlag = rnd.randrange(5, 60) if rnd.random() < 0.88 else rnd.randrange(60, 120)
                            if acc + rlag * one <= TODAY and rnd.random() < 0.98:
                                rep = acc + rlag * one
                                outcome = rnd.choice(("support", "explain", "not_support"))
                                state, clock, clock_due = "replied", "DELIVER", rep + 10 * one
                                if rep + 3 * one <= TODAY:
                                    dlv = rep + rnd.randrange(4) * one
                                    dmethod = "in_person"
                                    eud = dlv + 30 * one
                                    state, clock, clock_due = "delivered", "REVIEW_REQUEST", dlv + 30 * one
                                    if dlv + 30 * one < TODAY:
                                        state, clock, clock_due, closed = "closed", "", None, dlv + 30 * one
            if triaged is not None and acc is not None and rnd.random() < 0.55 and ebd:
                at = acc + rnd.randrange(30) * one
                if at <= TODAY:
                    evals.append((mid, "bureau", None, rnd.choice(("satisfied",) * 6 + ("basically",) * 3 + ("unsatisfied",)),
                                  "", "", self._dt(at, 15 * 3600)))  # fmt: skip
            if eud and rnd.random() < 0.5:
                at = dlv + rnd.randrange(30) * one
                if at <= TODAY:
                    evals.append((mid, "unit", hu, rnd.choice(("satisfied",) * 5 + ("basically",) * 3 + ("unsatisfied",) * 2),
                                  "", "", self._dt(at, 16 * 3600)))  # fmt: skip
            row = [mid, f"M{mid:09d}", "事项摘要", CATEGORIES[mid % 4], purposes[mid % len(purposes)],
                   content[rnd.randrange(len(content))] if rnd.random() < 0.97 else None, township, state, 1,
                   reg_at, s(reg_day), hu, s(fwd), state == "assigned", s(rbu), s(acc), s(hdue), ext, outcome,
                   s(rep), s(dlv), dmethod, "", s(closed), s(ebd), s(eud), clock, s(clock_due), False, is_legal,
                   False, False, "", repeat_of]  # fmt: skip
            if len(m_cols) > len(row):
                row.append(s(triaged))
            matters.append(row)
        # 5 % repeat registrations, on a matter registered before, some days later
        for j in range(self.rows // 20):
            rid = self.rows + j + 1
            mid = rnd.randrange(1, self.rows + 1)
            later = start + (days[mid - 1] + rnd.randrange(1, 200)) * one
            if later > TODAY:
                later = TODAY
            at = self._dt(later, 9 * 3600 + rnd.randrange(8 * 3600))
            regs.append((rid, f"R{rid:09d}", mid, rnd.choice(channels), at, at,
                         "repeat" if rnd.random() < 0.8 else "no_longer", 1, False, False, "", "重复反映", "", "",
                         "", "", "", ""))  # fmt: skip
        collective = set(rnd.sample(range(len(regs)), len(regs) // 50))
        regs = [
            (*r[:7], rnd.randrange(5, 60), True, *r[9:]) if k in collective else r for k, r in enumerate(regs)
        ]
        print(f"  rows built in Python: {time.perf_counter() - t:.1f} s "
              f"({len(matters):,} matters, {len(regs):,} registrations, {len(events):,} events, "
              f"{len(evals):,} evaluations)", flush=True)  # fmt: skip
        t = time.perf_counter()
        with transaction.atomic():
            self._write(Matter, m_cols, matters)
            self._write(Registration, r_cols, regs)
            self._write(Event, e_cols, events)
            self._write(Evaluation, v_cols, evals)
        print(f"  written: {time.perf_counter() - t:.1f} s", flush=True)
        t = time.perf_counter()
        with connection.cursor() as cur:
            if self.pg:
                for m in (Matter, Registration, Event, Evaluation):
                    cur.execute(f"SELECT setval(pg_get_serial_sequence('{m._meta.db_table}', 'id'), "
                                f"(SELECT max(id) FROM {m._meta.db_table}))")  # fmt: skip
        if self.pg:
            connection.close()
            import psycopg

            with psycopg.connect(f"{PG_SERVER}/{PG_DB}", autocommit=True) as c:
                c.execute("VACUUM ANALYZE")
        else:
            with connection.cursor() as cur:
                cur.execute("ANALYZE")
        print(f"  {'VACUUM ANALYZE' if self.pg else 'ANALYZE'}: {time.perf_counter() - t:.1f} s", flush=True)

    def _write(self, model, cols, rows):
        from django.db import connection

        table = model._meta.db_table
        with connection.cursor() as cur:
            if self.pg:
                with cur.cursor.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                    for k in range(0, len(rows), 50_000):
                        copy.write("".join(_tsv(r) for r in rows[k : k + 50_000]))
            else:
                sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
                cur.cursor.executemany(sql, rows)  # the raw sqlite3 cursor: '?' placeholders


def _tsv(row) -> str:
    return "\t".join("\\N" if v is None else ("t" if v else "f") if v is True or v is False else str(v)
                     for v in row) + "\n"  # fmt: skip


def _has_triaged_on() -> bool:
    from xinfang.petitions.models import Matter

    return any(f.name == "triaged_on" for f in Matter._meta.concrete_fields)


# --- hand-written SQL ------------------------------------------------------------------------------------


class Hand:
    """The same figures as dashboards.py / kpis.py, each as one hand-written SQL statement."""

    def __init__(self, f, today):
        from django.db import connection

        from xinfang.analytics import dashboards as D
        from xinfang.analytics import kpis
        from xinfang.petitions import workflow
        from xinfang.petitions.models import Unit

        self.pg = connection.vendor == "postgresql"
        self.f, self.today = f, today
        self.township_id = Unit.objects.get(code=f.township).pk if f.township else None
        self.open = _in(workflow.OPEN_STATES)
        self.staff = _in(D.STAFF_CLOCKS)
        self.kinds = _in(kpis.HANDLING_UNIT_KINDS)
        self.triage = _in(kpis.BUREAU_TRIAGE_ACTIONS)

    # dialect helpers
    def plus(self, col, days):
        return f"({col} + {days})" if self.pg else f"date({col}, '{days:+d} days')"

    def month(self, col):
        if self.pg:
            return f"to_char({col} AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')"
        return f"strftime('%%Y-%%m', {col}, '+{TZ_HOURS} hours')"

    def local_date(self, col):
        return (
            f"({col} AT TIME ZONE 'Asia/Shanghai')::date" if self.pg else f"date({col}, '+{TZ_HOURS} hours')"
        )

    def days(self, a, b):
        return f"({a} - {b})" if self.pg else f"(julianday({a}) - julianday({b}))"

    def scope(self, alias="m"):
        return f" AND {alias}.township_id = {self.township_id}" if self.township_id else ""

    def run(self, sql, params=()):
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()

    def span(self, period):
        from django.db import connection

        return tuple(connection.ops.adapt_datetimefield_value(x) for x in period.datetimes())

    # dashboards
    def _regs(self, period):
        return (" FROM petitions_registration r JOIN petitions_matter m ON m.id = r.matter_id"
                " WHERE r.registered_at >= %s AND r.registered_at < %s AND m.state <> 'received'"
                + self.scope()), self.span(period)  # fmt: skip

    def intake_trend(self, period=None):
        frm, p = self._regs(period or self.f.period)
        m = self.month("r.registered_at")
        return self.run(
            f"SELECT {m}, r.channel, count(*), sum(r.head_count){frm} GROUP BY 1, 2 ORDER BY 1, 2", p
        )

    def intake_by(self, by):
        frm, p = self._regs(self.f.period)
        if by == "content_class":
            return self.run(f"SELECT substr(c.code, 1, 2) k, count(*) n, sum(r.head_count)"
                            f"{frm.replace(' WHERE', ' LEFT JOIN petitions_code c ON c.id = m.content_class_id WHERE')}"
                            " GROUP BY 1 ORDER BY 2 DESC, 1", p)  # fmt: skip
        col = "m.township_id" if by == "township" else "r.channel"
        return self.run(
            f"SELECT {col} k, count(*) n, sum(r.head_count){frm} GROUP BY 1 ORDER BY 2 DESC, 1", p
        )

    def overview(self, period=None):
        frm, p = self._regs(period or self.f.period)
        new, legal = "r.disposition = 'new'", "m.is_legal"
        return self.run(
            "SELECT count(*), coalesce(sum(r.head_count), 0),"
            f" count(*) FILTER (WHERE {new}), count(*) FILTER (WHERE NOT {new}),"
            f" count(*) FILTER (WHERE NOT {legal}), count(*) FILTER (WHERE NOT {legal} AND NOT {new}),"
            " count(*) FILTER (WHERE r.is_collective), coalesce(sum(r.head_count) FILTER (WHERE r.is_collective), 0),"
            f" count(*) FILTER (WHERE r.is_leapfrog){frm}", p)  # fmt: skip

    def average_handling_days(self, period=None):
        period = period or self.f.period
        return self.run(
            f"SELECT avg({self.days('m.replied_on', 'm.accepted_on')}) FROM petitions_matter m"
            " WHERE m.state <> 'received' AND m.replied_on BETWEEN %s AND %s AND m.accepted_on IS NOT NULL"
            + self.scope(), (str(period.start), str(period.end)))  # fmt: skip

    def clock_status(self):
        soon = self.today + timedelta(days=3)
        return self.run(
            "SELECT m.clock, count(*) FILTER (WHERE m.clock_due > %s), count(*) FILTER (WHERE m.clock_due >= %s"
            " AND m.clock_due <= %s), count(*) FILTER (WHERE m.clock_due < %s) FROM petitions_matter m"
            f" WHERE m.state IN {self.open} AND m.clock IN {self.staff} AND m.clock_due IS NOT NULL{self.scope()}"
            " GROUP BY 1", (str(soon), str(self.today), str(soon), str(self.today)))  # fmt: skip

    def league(self, by):
        p, today = self.f.period, self.today
        col = "m.handling_unit_id" if by == "unit" else "m.township_id"
        kinds = f" AND u.kind IN {self.kinds}" if by == "unit" else ""
        join = " JOIN petitions_unit u ON u.id = m.handling_unit_id" if by == "unit" else ""
        aw_s, aw_e = p.start - timedelta(days=30), p.end - timedelta(days=30)
        pop_a = f"NOT m.is_legal AND m.repeat_of_id IS NULL AND m.forwarded_on IS NOT NULL AND m.registered_on BETWEEN '{aw_s}' AND '{aw_e}'"
        pop_d = (
            f"NOT m.is_legal AND m.repeat_of_id IS NULL AND m.handle_due BETWEEN '{p.start}' AND '{p.end}'"
        )
        done = "coalesce(m.replied_on, m.closed_on)"
        lag = self.days("m.accepted_on", "m.registered_on")
        matters = self.run(
            f"SELECT {col}, count(*) FILTER (WHERE m.registered_on BETWEEN '{p.start}' AND '{p.end}'),"
            f" count(*) FILTER (WHERE m.state IN {self.open} AND m.clock IN {self.staff} AND m.clock_due < '{today}'),"
            f" count(*) FILTER (WHERE {pop_a} AND m.accepted_on IS NOT NULL AND {lag} <= 30),"
            f" count(*) FILTER (WHERE {pop_a} AND ((m.accepted_on IS NOT NULL AND {lag} > 30)"
            f"   OR (m.accepted_on IS NULL AND m.registered_on < '{today - timedelta(days=30)}'))),"
            f" count(*) FILTER (WHERE {pop_d} AND {done} <= m.handle_due),"
            f" count(*) FILTER (WHERE {pop_d} AND ({done} > m.handle_due OR ({done} IS NULL AND m.handle_due < '{today}'))),"
            f" count(*) FILTER (WHERE {pop_d} AND {done} IS NULL AND m.handle_due >= '{today}'),"
            f" count(*) FILTER (WHERE NOT m.is_legal AND m.eval_unit_due BETWEEN '{p.start}' AND '{p.end}'"
            f"   AND m.eval_unit_due < '{today}' AND e.id IS NULL),"
            f" avg({self.days('m.replied_on', 'm.accepted_on')}) FILTER (WHERE m.replied_on BETWEEN '{p.start}' AND '{p.end}'"
            "   AND m.accepted_on IS NOT NULL)"
            f" FROM petitions_matter m{join} LEFT JOIN petitions_evaluation e ON e.matter_id = m.id AND e.target = 'unit'"
            f" WHERE m.state <> 'received' AND {col} IS NOT NULL{kinds}{self.scope()} GROUP BY 1")  # fmt: skip
        s, e = self.span(p)
        evals = self.run(
            f"SELECT {col}, count(*), count(*) FILTER (WHERE v.value <> 'unsatisfied') FROM petitions_evaluation v"
            " JOIN petitions_matter m ON m.id = v.matter_id WHERE v.target = 'unit' AND v.at >= %s AND v.at < %s"
            f" AND NOT m.is_legal AND m.state <> 'received'{self.scope()} GROUP BY 1", (s, e))  # fmt: skip
        frm, prm = self._regs(p)
        regs = self.run(f"SELECT {col}, count(*), count(*) FILTER (WHERE r.disposition <> 'new'){frm}"
                        " AND NOT m.is_legal GROUP BY 1", prm)  # fmt: skip
        return matters, evals, regs

    # KPIs
    def _initial(self):
        return f" m.state <> 'received' AND NOT m.is_legal AND m.repeat_of_id IS NULL{self.scope()}"

    def _accept(self, frm, decided, days, period, extra=""):
        w_s, w_e = period.start - timedelta(days=days), period.end - timedelta(days=days)
        lag = self.days(decided, "m.registered_on")
        passed = f"m.registered_on < '{self.today - timedelta(days=days)}'"
        return self.run(
            f"SELECT count(*) FILTER (WHERE {decided} IS NOT NULL AND {lag} <= {days}),"
            f" count(*) FILTER (WHERE {decided} IS NOT NULL AND {lag} > {days}),"
            f" count(*) FILTER (WHERE {decided} IS NULL AND {passed}),"
            f" count(*) FILTER (WHERE {decided} IS NULL AND NOT {passed})"
            f"{frm} WHERE{self._initial()}{extra} AND m.registered_on BETWEEN '{w_s}' AND '{w_e}'")  # fmt: skip

    def bureau_timely_acceptance(self, period=None):
        period = period or self.f.period
        if _has_triaged_on():
            return self._accept(" FROM petitions_matter m", "m.triaged_on", 15, period)
        frm = (" FROM petitions_matter m LEFT JOIN (SELECT matter_id, "
               f"{self.local_date('min(at)')} AS triaged_on FROM petitions_event"
               f" WHERE action IN {self.triage} GROUP BY matter_id) t ON t.matter_id = m.id")  # fmt: skip
        return self._accept(frm, "t.triaged_on", 15, period)

    def unit_timely_acceptance(self, period=None):
        period = period or self.f.period
        frm = " FROM petitions_matter m JOIN petitions_unit u ON u.id = m.handling_unit_id"
        extra = f" AND u.kind IN {self.kinds} AND m.forwarded_on IS NOT NULL"
        return self._accept(frm, "m.accepted_on", 30, period, extra)

    def on_time_completion(self, period=None):
        period = period or self.f.period
        done = "coalesce(m.replied_on, m.closed_on)"
        t = f"'{self.today}'"
        return self.run(
            f"SELECT count(*) FILTER (WHERE {done} <= m.handle_due), count(*) FILTER (WHERE {done} > m.handle_due),"
            f" count(*) FILTER (WHERE {done} IS NULL AND m.handle_due >= {t}),"
            f" count(*) FILTER (WHERE {done} IS NULL AND m.handle_due < {t})"
            f" FROM petitions_matter m WHERE{self._initial()} AND m.handle_due BETWEEN %s AND %s",
            (str(period.start), str(period.end)))  # fmt: skip

    def evaluation_stats(self, target, period=None):
        period = period or self.f.period
        s, e = self.span(period)
        due = "m.eval_bureau_due" if target == "bureau" else "m.eval_unit_due"
        rated = f"m.state <> 'received' AND NOT m.is_legal{self.scope()}"
        return self.run(
            "SELECT (SELECT count(*) FILTER (WHERE v.value = 'satisfied') || ',' || count(*) FILTER (WHERE"
            " v.value = 'basically') || ',' || count(*) FILTER (WHERE v.value = 'unsatisfied')"
            " FROM petitions_evaluation v JOIN petitions_matter m ON m.id = v.matter_id"
            f" WHERE v.target = %s AND v.at >= %s AND v.at < %s AND {rated}),"
            f" (SELECT count(*) FROM petitions_matter m LEFT JOIN petitions_evaluation v ON v.matter_id = m.id"
            f" AND v.target = %s WHERE {rated} AND {due} BETWEEN %s AND %s AND {due} < %s AND v.id IS NULL)",
            (target, s, e, target, str(period.start), str(period.end), str(self.today)))  # fmt: skip

    def kpi_table(self):
        from xinfang.analytics import dashboards as D

        out = []
        for period in (self.f.period, D.year_ago(self.f.period), D.previous(self.f.period)):
            out += [self.bureau_timely_acceptance(period), self.unit_timely_acceptance(period),
                    self.on_time_completion(period), self.evaluation_stats("bureau", period),
                    self.evaluation_stats("unit", period), self.overview(period),
                    self.average_handling_days(period)]  # fmt: skip
        return out


def _in(values) -> str:
    return "(" + ", ".join(f"'{v}'" for v in sorted(values)) + ")"


# --- timing ----------------------------------------------------------------------------------------------


def _best(fn, repeat):
    t = time.perf_counter()
    fn()  # warm-up
    if time.perf_counter() - t > 2:  # seconds-long statements: best of 2 keeps the run under 15 minutes
        repeat = min(repeat, 2)
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best * 1000


def run_queries(repeat):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from xinfang.analytics import dashboards as D
    from xinfang.analytics.kpis import Period
    from xinfang.petitions.models import Unit

    if connection.vendor == "sqlite":
        # SQLite wants the Django-registered functions for the ORM; the hand SQL only needs FILTER (3.30+)
        pass
    year = Period.year(TODAY.year)
    township = Unit.objects.filter(kind=Unit.Kind.TOWNSHIP).order_by("code").values_list("code", flat=True)[0]
    today = TODAY
    results = []
    slowest = (0.0, None, None)
    for label, f in (
        ("county-wide 2024", D.Filters(year)),
        (f"township {township} 2024", D.Filters(year, township=township)),
    ):
        h = Hand(f, today)
        cases = _cases(f, h, today)
        print(f"\n{label}: timing {len(cases)} queries (best of {repeat})", flush=True)
        _check(f, h, today)
        for name, orm, hand in cases:
            o = _best(orm, repeat)
            s = _best(hand, repeat)
            results.append((label, name, o, s))
            if o > slowest[0] and not name.startswith("kpi_table"):
                with CaptureQueriesContext(connection) as ctx:
                    orm()
                q = max(ctx.captured_queries, key=lambda q: float(q["time"]))
                slowest = (o, f"{label}: {name.strip()}", q["sql"])
    print(f"\n{'filter':<24} {'query':<34} {'ORM ms':>8} {'hand SQL ms':>12} {'ratio':>6}  goal met")
    for label, name, o, s in results:
        ok = o < GOAL_MS and o <= GOAL_RATIO * s
        why = "" if ok else " (" + ", ".join(
            x for x, bad in (("> 200 ms", o >= GOAL_MS), ("> 2x", o > GOAL_RATIO * s)) if bad) + ")"  # fmt: skip
        print(f"{label:<24} {name:<34} {o:8.1f} {s:12.1f} {o / s:6.2f}  {'yes' if ok else 'NO' + why}")
    page = {}
    for label, name, o, _s in results:
        if not name.startswith("  "):
            page[label] = page.get(label, 0) + o
    for label, total in page.items():
        print(f"whole dashboard page ({label}): {total:.0f} ms (kpi_table + overview x3 + the rest)")
    o, where, sql = slowest
    print(f"\nslowest ORM statement ({where}, {o:.0f} ms for the function):\n{sql}\n")
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        else:
            cur.execute("EXPLAIN QUERY PLAN " + sql)
        for row in cur.fetchall():
            print("  " + " | ".join(str(x) for x in row))


def _cases(f, h, today):
    """(name, ORM callable, hand-SQL callable) of every query the dashboard page runs."""
    from xinfang.analytics import dashboards as D
    from xinfang.analytics import kpis

    b = kpis.Evaluation.Target.BUREAU
    u = kpis.Evaluation.Target.UNIT
    return [
            ("kpi_table (24 statements)", lambda: D.kpi_table(f, today=today), h.kpi_table),
            ("  bureau_timely_acceptance", lambda: kpis.bureau_timely_acceptance(f.period, scope=f.scope, today=today),
             h.bureau_timely_acceptance),
            ("  unit_timely_acceptance", lambda: kpis.unit_timely_acceptance(f.period, scope=f.scope, today=today),
             lambda: h.unit_timely_acceptance()),
            ("  on_time_completion", lambda: kpis.on_time_completion(f.period, scope=f.scope, today=today),
             h.on_time_completion),
            ("  evaluation_stats bureau", lambda: kpis.evaluation_stats(f.period, target=b, scope=f.scope, today=today),
             lambda: h.evaluation_stats("bureau")),
            ("  evaluation_stats unit", lambda: kpis.evaluation_stats(f.period, target=u, scope=f.scope, today=today),
             lambda: h.evaluation_stats("unit")),
            ("overview", lambda: D.overview(f), h.overview),
            ("average_handling_days", lambda: D.average_handling_days(f), h.average_handling_days),
            ("intake_trend", lambda: D.intake_trend(f), h.intake_trend),
            ("intake_by content_class", lambda: D.intake_by(f, by="content_class"), lambda: h.intake_by("content_class")),
            ("intake_by township", lambda: D.intake_by(f, by="township"), lambda: h.intake_by("township")),
            ("clock_status", lambda: D.clock_status(f, today=today), h.clock_status),
            ("league unit (3 statements)", lambda: D.league(f, by="unit", today=today), lambda: h.league("unit")),
            ("league township (3 statements)", lambda: D.league(f, by="township", today=today),
             lambda: h.league("township")),
    ]  # fmt: skip


def _check(f, h, today):
    """The hand SQL gives the ORM's figures (else the comparison means nothing)."""
    from xinfang.analytics import dashboards as D
    from xinfang.analytics import kpis

    ov = D.overview(f)
    assert tuple(h.overview()[0]) == (ov.registrations, ov.persons, ov.first, ov.repeat, ov.rated_total,
                                      ov.rated_repeat, ov.collective_batches, ov.collective_persons,
                                      ov.leapfrog), (h.overview(), ov)  # fmt: skip
    ba = kpis.bureau_timely_acceptance(f.period, scope=f.scope, today=today)
    assert tuple(h.bureau_timely_acceptance()[0]) == (
        ba.on_time,
        ba.late,
        ba.overdue_pending,
        ba.not_yet_due,
    ), (h.bureau_timely_acceptance(), ba)
    c = kpis.on_time_completion(f.period, scope=f.scope, today=today)
    assert tuple(h.on_time_completion()[0]) == (c.on_time, c.late, c.pending, c.overdue_pending)
    for target in ("bureau", "unit"):
        e = kpis.evaluation_stats(f.period, target=target, scope=f.scope, today=today)
        got = h.evaluation_stats(target)[0]
        assert (got[0], got[1]) == (f"{e.satisfied},{e.basically},{e.unsatisfied}", e.expired), (got, e)
    trend = D.intake_trend(f)
    assert [(r.month, r.channel, r.registrations, r.persons) for r in trend] == [
        tuple(x) for x in h.intake_trend()
    ]
    lg = {r.key: r for r in D.league(f, by="township", today=today)}
    assert sum(r.registered for r in lg.values()) == sum(x[1] for x in h.league("township")[0])
    print("  hand SQL = ORM figures: ok", flush=True)


if __name__ == "__main__":
    sys.exit(main())
