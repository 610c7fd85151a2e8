"""Summary tables (`DayTally`, `ClockTally`) kept in step with the casework records.

- `facts()` is the one definition of what a matter contributes (the populations of kpis.py and
  dashboards.py, see docs/statistics.md); `refresh(matter_id)` recomputes it, subtracts what the matter
  contributed before (`MatterTally`) and adds the difference to the roll-up rows with
  `INSERT … ON CONFLICT DO UPDATE SET x = x + excluded.x` (one statement per table on PostgreSQL, an executemany
  on SQLite; `_upsert`). It runs in
  the transaction of the change, from the post_save signals of Matter, Registration, Evaluation and Event
  (a service's conditional UPDATE sends no signal; the Event it writes after its changes does).
- `rebuild()` recomputes everything in bulk (after raw loads; `xinfang rebuild_tallies`), `check()` reports
  the rows that differ from a fresh computation.
- `rollup()` gives the rows that answer a figure: the roll-up whose dimensions are exactly the figure's
  filters plus its grouping (`ROLLUPS`), or None when there is none and the figure comes from the records.
"""

import operator
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, timedelta
from functools import reduce
from itertools import islice

from django.conf import settings
from django.db import connection, transaction
from django.db.models import IntegerField, Q, QuerySet
from django.utils import timezone

from xinfang.analytics import populations as P
from xinfang.analytics.models import ClockTally, DayTally, MatterTally
from xinfang.analytics.populations import BUREAU_ACCEPT_DAYS, HANDLING_UNIT_KINDS, UNIT_ACCEPT_DAYS  # noqa: F401
from xinfang.core.tasks import retrying_task
from xinfang.petitions import workflow
from xinfang.petitions.models import Code, Evaluation, Matter, Registration, Unit

MEASURES = tuple(
    f.name for f in DayTally._meta.concrete_fields if isinstance(f, IntegerField) and not f.primary_key
)
STAFF_CLOCKS = ("TRIAGE", "NOTIFY", "HANDLE", "SIMPLE", "REVIEW", "RECHECK")
MATTER_FIELDS = (
    "id", "state", "is_legal", "repeat_of_id", "township_id", "handling_unit_id", "handling_unit__kind",
    "content_class_id", "registered_on", "received_on", "is_direct", "triaged_on", "forwarded_on", "accepted_on", "handle_due",
    "replied_on", "closed_on", "eval_bureau_due", "eval_unit_due", "clock", "clock_due", "merged_into_id",
)  # fmt: skip
MATTER_COLUMNS = {f.split("__")[0].removesuffix("_id") for f in MATTER_FIELDS}  # the fields facts() reads
REG_FIELDS = ("matter_id", "registered_at", "channel", "head_count", "disposition", "is_collective",
              "is_leapfrog")  # fmt: skip
EVAL_FIELDS = ("matter_id", "target", "value", "at")


def enabled() -> bool:
    """Read figures from the tallies (they are kept up to date either way)."""
    return getattr(settings, "XINFANG_TALLIES", True)


# --- what one matter contributes ------------------------------------------------------------------------


def _split(on: date | None, decided: date | None, limit: int, prefix: str, add) -> None:
    if decided is None:
        add(on, f"{prefix}_open")
    else:
        add(on, f"{prefix}_on_time" if (decided - on).days <= limit else f"{prefix}_late")


def facts(m: dict, regs: Iterable[dict], evals: Iterable[dict]) -> dict:
    """{"dims": {dim: key}, "days": [[day, measure, channel, n]], "clocks": [[clock, day]]} for one matter
    (a `values(*MATTER_FIELDS)` row and its registrations and evaluations); {} if it counts nowhere."""
    days: Counter = Counter()

    def add(on, measure, n=1, channel=""):
        if on is not None and n:
            days[(on.isoformat(), measure, channel)] += n

    def timeliness(t: P.Timeliness) -> None:  # filed on its base date (a matter without one is in no window)
        if P.holds(t.lookups, m) and m[t.base] is not None:
            _split(m[t.base], m[t.decided], t.days, t.name, add)

    # the populations are those of populations.py, the lookups evaluated on this matter's row
    if m["merged_into_id"] is not None:  # 合并 (issue 16): counted once, as the matter it was merged into
        return {}
    if m["state"] == workflow.RECEIVED:  # waiting for 登记: counts only in the bureau's triage timeliness
        timeliness(P.BUREAU_ACCEPTANCE)
        return _result(m, days, []) if days else {}

    legal = m["is_legal"]
    for r in regs:
        on, ch, n = timezone.localdate(r["registered_at"]), r["channel"], r["head_count"] or 0
        new = r["disposition"] == Registration.Disposition.NEW
        for measure, value in (
            ("regs", 1), ("regs_persons", n), ("regs_new", new), ("regs_rated", not legal),
            ("regs_rated_repeat", not legal and not new), ("regs_coll", r["is_collective"]),
            ("regs_coll_persons", n if r["is_collective"] else 0), ("regs_leapfrog", r["is_leapfrog"]),
        ):  # fmt: skip
            add(on, measure, int(value), ch)
    add(m["registered_on"], "matters")
    timeliness(P.BUREAU_ACCEPTANCE)
    timeliness(P.UNIT_TIMELINESS)
    if P.holds(P.COMPLETION, m):  # on 限办截止: 按期 / 超期 / 未办结
        _split(m[P.COMPLETION_DUE], P.done_on(m), 0, "done", add)
    if P.holds(P.RATED, m):
        evals = list(evals)
        targets = {e["target"] for e in evals}
        for e in evals:
            short = "eb" if e["target"] == Evaluation.Target.BUREAU else "eu"
            value = {"satisfied": "sat", "basically": "basic", "unsatisfied": "unsat"}[e["value"]]
            add(timezone.localdate(e["at"]), f"{short}_{value}")
        if Evaluation.Target.BUREAU not in targets:
            add(m["eval_bureau_due"], "eb_open")
        if Evaluation.Target.UNIT not in targets:
            add(m["eval_unit_due"], "eu_open")
    if m["replied_on"] is not None and m["accepted_on"] is not None:
        add(m["replied_on"], "replied")
        add(m["replied_on"], "replied_days", (m["replied_on"] - m["accepted_on"]).days)
    clocks = []
    if m["state"] in workflow.OPEN_STATES and m["clock"] in STAFF_CLOCKS and m["clock_due"] is not None:
        clocks.append([m["clock"], m["clock_due"].isoformat()])
    return _result(m, days, clocks)


def _result(m: dict, days: Counter, clocks: list) -> dict:
    dims = {"township": m["township_id"], "unit": m["handling_unit_id"], "class": m["content_class_id"]}
    return {
        "dims": {k: "" if v is None else str(v) for k, v in dims.items()},  # "" = not classified
        "days": sorted([*k, n] for k, n in days.items()),
        "clocks": clocks,
    }


_INDEX = {m: i for i, m in enumerate(MEASURES)}


# The roll-ups: a row's `dim` names its dimensions, `key` holds the first one's value and `key2` the
# second's (pairs). 信访形式 (channel) is a dimension of the registration counts only.
ROLLUPS = ("", "channel", "township", "unit", "class", "class+channel", "class+township", "class+unit",
           "township+unit")  # fmt: skip


def _row_keys(dims: dict, channel: str = "") -> list[tuple[str, str, str]]:
    """(dim, key, key2) of every roll-up row a matter with these dimension values counts in."""
    values = {**dims, "channel": channel, "": ""}
    return [
        (dim, *(values[d] for d in (dim.split("+") + [""])[:2]))
        for dim in ROLLUPS
        if channel or "channel" not in dim
    ]


def _rolled(f: dict, sign: int, day_rows: dict, clock_rows: Counter) -> None:
    """Add `sign` × the matter's facts to the roll-up rows: {(dim, key, key2, grain, day): [n per measure]}
    and {(dim, key, key2, clock, day): n}."""
    if not f:
        return
    keys = _row_keys(f["dims"])
    for on, measure, channel, n in f["days"]:
        i = _INDEX[measure]
        for k in _row_keys(f["dims"], channel) if channel else keys:
            for grain, day in (("d", on), ("m", on[:8] + "01")):
                row = day_rows.get((*k, grain, day))
                if row is None:
                    row = day_rows[(*k, grain, day)] = [0] * len(MEASURES)
                row[i] += sign * n
    for clock, on in f["clocks"]:
        for k in keys:
            clock_rows[(*k, clock, on)] += sign


# --- keeping the tables in step -------------------------------------------------------------------------


def _upsert(day_rows: dict, clock_rows: Counter) -> None:
    """Add the counts to their rows (created when missing); a row a subtraction brought to zero is deleted. The
    rows in key order, so that concurrent writers lock them in the same order. On PostgreSQL one
    `INSERT … SELECT FROM UNNEST(one array per column) ON CONFLICT DO UPDATE` per table (issue 14: a
    registration's 18 day rows and 7 clock rows were 25 statements, now 2 — one plan instead of 25, and 33 array
    parameters instead of 650 values to adapt); elsewhere one executemany."""
    q = connection.ops.quote_name
    day_t, clock_t = q(DayTally._meta.db_table), q(ClockTally._meta.db_table)
    day_key, clock_key = ("dim", "key", "key2", "grain", "day"), ("dim", "key", "key2", "clock", "day")
    rows = [(*k, *v) for k, v in sorted(day_rows.items()) if any(v)]
    clocks = [(*k, n) for k, n in sorted(clock_rows.items()) if n]
    unnest = connection.vendor == "postgresql"
    with connection.cursor() as c:
        for table, key, values, measures in (
            (day_t, day_key, rows, MEASURES),
            (clock_t, clock_key, clocks, ("n",)),
        ):
            if not values:
                continue
            columns = (*key, *measures)
            sets = ", ".join(f"{q(m)} = {table}.{q(m)} + excluded.{q(m)}" for m in measures)
            conflict = f"ON CONFLICT ({', '.join(q(x) for x in key)}) DO UPDATE SET {sets}"
            if unnest:
                types = ["text", "text", "text", "text", "date"] + ["integer"] * len(measures)
                c.execute(
                    f"INSERT INTO {table} ({', '.join(q(x) for x in columns)}) SELECT * FROM UNNEST("
                    + ", ".join(f"%s::{t}[]" for t in types)
                    + f") {conflict}",
                    [list(column) for column in zip(*values, strict=True)],
                )
            else:
                c.executemany(
                    f"INSERT INTO {table} ({', '.join(q(x) for x in columns)}) "
                    f"VALUES ({', '.join(['%s'] * len(columns))}) {conflict}",
                    values,
                )
            emptied = [v[: len(key)] for v in values if any(n < 0 for n in v[len(key) :])]
            if emptied:
                c.executemany(
                    f"DELETE FROM {table} WHERE {' AND '.join(f'{q(x)} = %s' for x in key)} AND "
                    + " AND ".join(f"{q(m)} = 0" for m in measures),
                    emptied,
                )


def _load(matter_ids: Iterable[int], *, evaluations: bool = True) -> dict[int, dict]:
    """matter id → facts, three queries for the lot (two with `evaluations=False`: matters known to have none)."""
    ids = list(matter_ids)
    regs, evals = defaultdict(list), defaultdict(list)
    for r in Registration.objects.filter(matter_id__in=ids).values(*REG_FIELDS).order_by():
        regs[r["matter_id"]].append(r)
    if evaluations:
        for e in Evaluation.objects.filter(matter_id__in=ids).values(*EVAL_FIELDS).order_by():
            evals[e["matter_id"]].append(e)
    return {
        m["id"]: facts(m, regs[m["id"]], evals[m["id"]])
        for m in Matter.objects.filter(pk__in=ids).values(*MATTER_FIELDS).order_by()
    }


@transaction.atomic
def refresh(matter_id: int) -> None:
    """Bring the tallies in step with one matter's records."""
    _refresh(matter_id)


def _refresh(matter_id: int, *, fresh: bool = False) -> None:
    """`refresh` inside the caller's transaction. `fresh`: the matter was created in this transaction and has no
    evaluation yet (`once()` knows it from the signals), so it has no snapshot to read and lock and no
    evaluation to read (issue 14: two SELECTs fewer per new registration)."""
    if fresh:
        snapshot = None
    else:
        snapshot = MatterTally.objects.select_for_update().filter(matter_id=matter_id).first()
    old = snapshot.facts if snapshot else {}
    new = _load([matter_id], evaluations=not fresh).get(matter_id, {})
    if new == old:
        return
    day_rows, clock_rows = {}, Counter()
    _rolled(old, -1, day_rows, clock_rows)
    _rolled(new, 1, day_rows, clock_rows)
    _upsert(day_rows, clock_rows)
    if snapshot:
        MatterTally.objects.filter(matter_id=matter_id).update(facts=new)
    else:
        MatterTally.objects.create(matter_id=matter_id, facts=new)


# One refresh per matter per service call (issue 14, intake under load): inside `once()` the signals only note the
# matter; the block's end refreshes each noted matter once, still inside its transaction. The value says whether
# the matter is fresh: created inside the block (its post_save said `created`) and no evaluation saved since.
_dirty: ContextVar[dict[int, bool] | None] = ContextVar("tallies_dirty", default=None)


def changed(matter_id: int, *, created: bool = False, evaluation: bool = False) -> None:
    """A write touched what `matter_id` contributes: refresh it now, or at the end of the enclosing `once()`.
    `created`: the write created the matter; `evaluation`: the write was an evaluation's."""
    dirty = _dirty.get()
    if dirty is None:
        refresh(matter_id)
    else:
        dirty[matter_id] = (created or dirty.get(matter_id, False)) and not evaluation


@contextmanager
def once() -> Iterator[None]:
    """Inside the block the matters the signals report are collected; at its end each is refreshed once, in the
    same transaction (the tables are never seen out of step). A registration saved the matter, the
    registration and an event: three refreshes before, one now — and the summary rows it locks (today's row of
    every roll-up) are locked at the end of the transaction instead of at its first write. Nested blocks
    refresh at the outermost."""
    if _dirty.get() is not None:
        yield
        return
    dirty: dict[int, bool] = {}
    token = _dirty.set(dirty)
    try:
        with transaction.atomic(savepoint=False):
            yield
            _dirty.reset(token)
            token = None
            for matter_id in sorted(dirty):  # no savepoint of its own: a failure fails the block either way
                _refresh(matter_id, fresh=dirty[matter_id])
    finally:
        if token is not None:
            _dirty.reset(token)


# Bulk loads through the services (load_demo): the per-write refresh is skipped and the tables are rebuilt once.
_deferred: ContextVar[bool] = ContextVar("tallies_deferred", default=False)


def is_deferred() -> bool:
    return _deferred.get()


@contextmanager
def deferred() -> Iterator[None]:
    """Inside the block the signals leave the tables alone; at its end `rebuild()` recomputes them once, in the
    same transaction (a failure inside rolls everything back). Refreshing per write costs ~7 queries per event;
    a load of ~1,000 matters spent a third of its time there. Nested blocks rebuild once, at the outermost."""
    if _deferred.get():
        yield
        return
    token = _deferred.set(True)
    try:
        with transaction.atomic():
            yield
            _deferred.reset(token)
            token = None
            rebuild()
    finally:
        if token is not None:
            _deferred.reset(token)


def _expected(batch: int = 5000, *, write_snapshots: bool = False) -> tuple[dict, Counter]:
    """The roll-up rows computed from the records, in batches of matters (by id); with `write_snapshots`,
    each batch's MatterTally rows are written as it goes (memory holds the roll-up rows only)."""
    day_rows, clock_rows = {}, Counter()
    ids = list(Matter.objects.order_by("pk").values_list("pk", flat=True))
    for i in range(0, len(ids), batch):
        loaded = _load(ids[i : i + batch])
        for f in loaded.values():
            _rolled(f, 1, day_rows, clock_rows)
        if write_snapshots:
            MatterTally.objects.bulk_create(
                MatterTally(matter_id=pk, facts=f) for pk, f in loaded.items() if f
            )
    return day_rows, clock_rows


def _fill(model, columns: tuple[str, ...], rows: Iterable[tuple]) -> None:
    """Write rows into an empty table: COPY on PostgreSQL, executemany of plain INSERTs elsewhere."""
    q = connection.ops.quote_name
    table, names = q(model._meta.db_table), ", ".join(q(c) for c in columns)
    with connection.cursor() as c:
        if connection.vendor == "postgresql":
            with c.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
        while chunk := list(islice(rows, 5000)):
            c.executemany(sql, chunk)


@transaction.atomic
def rebuild() -> dict[str, int]:
    """Recompute every tally and snapshot from the records. The day rows are written in key order (the
    unique index grows at its end) with DayTally's other indexes dropped, and the indexes built after."""
    for model in (DayTally, ClockTally, MatterTally):
        model.objects.all().delete()
    day_rows, clock_rows = _expected(write_snapshots=True)
    q = connection.ops.quote_name
    with connection.cursor() as c:  # DDL is transactional on SQLite and PostgreSQL alike
        for index in DayTally._meta.indexes:
            c.execute(f"DROP INDEX {q(index.name)}")
    day_key = ("dim", "key", "key2", "grain", "day")
    _fill(DayTally, (*day_key, *MEASURES), ((*k, *day_rows[k]) for k in sorted(day_rows) if any(day_rows[k])))
    _fill(ClockTally, ("dim", "key", "key2", "clock", "day", "n"),
          ((*k, n) for k, n in sorted(clock_rows.items()) if n))  # fmt: skip
    editor = connection.schema_editor()  # only to write the CREATE INDEX statements
    with connection.cursor() as c:
        for index in DayTally._meta.indexes:
            c.execute(str(index.create_sql(DayTally, editor)))
    return {
        "matters": MatterTally.objects.count(),
        "day_rows": DayTally.objects.count(),
        "clock_rows": ClockTally.objects.count(),
    }


@retrying_task(label="重算统计汇总表", max_attempts=2, backoff=600)
def rebuild_in_background() -> dict[str, int]:
    """`rebuild()` as a background task (`xinfang rebuild_tallies --enqueue`): run by the worker outside office
    hours instead of holding a terminal."""
    return rebuild()


def check() -> list[str]:
    """The rows whose stored counts differ from the records (empty when the tallies are right)."""
    day_rows, clock_rows = _expected()
    zero = [0] * len(MEASURES)
    stored = {
        (*r[:4], r[4].isoformat()): list(r[5:])
        for r in DayTally.objects.values_list("dim", "key", "key2", "grain", "day", *MEASURES).iterator()
    }
    out = []
    for k in sorted(set(day_rows) | set(stored)):
        have, want = stored.get(k, zero), day_rows.get(k, zero)
        out += [
            f"{k} {m}: stored {have[i]}, records {want[i]}"
            for i, m in enumerate(MEASURES)
            if have[i] != want[i]
        ]
    stored_clocks = Counter(
        {
            (r["dim"], r["key"], r["key2"], r["clock"], r["day"].isoformat()): r["n"]
            for r in ClockTally.objects.values()
        }
    )
    out += [
        f"{k}: stored {stored_clocks[k]}, records {clock_rows[k]}"
        for k in sorted(set(clock_rows) | set(stored_clocks))
        if clock_rows[k] != stored_clocks[k]
    ]
    return out


# --- reading -------------------------------------------------------------------------------------------


def spans(start: date, end: date, *, cuts: Iterable[date] = ()) -> tuple[list[date], list[tuple[date, date]]]:
    """[start, end] as whole months (their first days) and day ranges. A month that holds a cut (a date the
    caller compares `day` with, e.g. `day < today`) is read by its days, so that the comparison is right for
    every row read; a cut on the 1st splits nothing."""
    months, ranges, month = [], [], date(start.year, start.month, 1)
    while month <= end:
        nxt = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        last = nxt - timedelta(days=1)
        if start <= month and last <= end and not any(month < c <= last for c in cuts):
            months.append(month)
        else:
            ranges.append((max(start, month), min(end, last)))
        month = nxt
    return months, ranges


def window(start: date, end: date, *, cuts: Iterable[date] = ()) -> Q:
    """The DayTally rows that cover [start, end] exactly once: month rows for its whole months, day rows for
    the rest (see `spans`)."""
    months, ranges = spans(start, end, cuts=cuts)
    parts = [Q(grain="d", day__gte=a, day__lte=b) for a, b in ranges]
    if months:
        parts.append(Q(grain="m", day__in=months))
    return reduce(operator.or_, parts) if parts else Q(pk__in=[])


@dataclass(frozen=True)
class Rollup:
    rows: QuerySet
    column: str  # the column that holds the grouping dimension's value ("key" or "key2")


def keys(*, township: str = "", unit: str = "", content_class: str = "") -> dict[str, list[str]]:
    """The `key` values of the filters: {dim: [Unit.pk | Code.pk as text]} (a content class with its
    sub-classes)."""
    ids: dict[str, list[str]] = {}
    for dim, code in (("township", township), ("unit", unit)):
        if code:
            ids[dim] = [str(pk) for pk in Unit.objects.filter(code=code).values_list("pk", flat=True)]
    if content_class:
        codes = Code.objects.filter(table=Code.Table.CONTENT, code__startswith=content_class)
        ids["class"] = [str(pk) for pk in codes.values_list("pk", flat=True)]
    return ids


def rollup_of(dims: set[str]) -> str | None:
    """The roll-up (`dim`) whose dimensions are exactly `dims`, or None."""
    return next((d for d in ROLLUPS if set(d.split("+")) - {""} == dims), None)


def rollup(model, ids: dict[str, list[str]], *, by: str = "") -> Rollup | None:
    """The roll-up rows for a figure filtered by `ids` (see `keys`) and grouped by `by` (a dimension, "" = not
    grouped): the roll-up whose dimensions are exactly the filters' and the grouping's. None when there is
    none (or the tallies are switched off)."""
    if not enabled():
        return None
    dim = rollup_of(set(ids) | ({by} if by else set()))
    if dim is None:
        return None
    columns = dict(zip(dim.split("+"), ("key", "key2"), strict=False)) if dim else {}
    filters = {f"{columns[d]}__in": values for d, values in ids.items()}
    return Rollup(model.objects.filter(dim=dim, **filters), columns.get(by, "key"))
