"""The one search box at scale (issue 12): median and p95 per kind of query, through the real search function and
next to the same query written by hand. Prints figures; nothing here asserts a time.

    .venv/bin/python bench/search.py [--rows 1000000] [--db sqlite|postgres|both] [--queries 40] [--reuse]

Each database runs in its own subprocess with its own throw-away database, never the dev one: SQLite
/tmp/xf_bench_search.sqlite3, PostgreSQL `xf_bench_search` on $BENCH_PG (default
postgres://postgres@127.0.0.1:5432), created if missing. --reuse keeps the data when the registration count
matches.

Data (seeded): `load_codes()`, a bureau and 40 handling units (departments and townships), --rows registrations
on 90 % as many matters (the rest repeat an earlier matter), one petitioner each (a fifth of them come again
and are the same person): names from 100 surnames and 400 given-name characters, valid 18-digit ID numbers,
mobiles; titles and content composed of 2-4-character nouns and verbs from jieba's own dictionary (Zipf
weights), 上级交办编号 on 5 % of the registrations, a 转送单 文号 on 40 % of the matters, 3 % confidential
matters. Written with COPY (PostgreSQL) or executemany (SQLite), not with the services: the index row of a
matter (`MatterSearch`) is filled by the script as search.refresh would — names by `search.name_tokens`, words
by `search.content_tokens` of each vocabulary word and the title (cached per word: segmenting a million texts
with jieba would take most of the load time; the words are the same except across word boundaries) — and the
hashes by `pii.hashes`. The database's own index (FTS5 through the triggers, the generated tsvector columns
and their GIN indexes) is maintained by the database while loading.

Timed, --queries samples per kind, each on a matter drawn at random: 事项编号, 登记编号, 文号, a partial name
(two characters of the petitioner's name), the surname alone (one character), the ID number, the mobile (typed
with +86 and spaces), one content word, two content words. Each query runs the worklist as its page does
(queries.worklist with q in the search order, newest first, and queries.OpenPage: the first page of 50 rows
and one more to know whether a next page exists, no count) for a county-wide user (a clerk: sees everything
but confidential matters naming them) and for an officer of the matter's handling unit; next to it the
hand-written SQL on the indexed columns doing the same work (the newest 51 by registration time and id, the
unit's filter for the officer). Goal: median < 50 ms and p95 < 200 ms.
"""

import argparse
import itertools
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
SQLITE_PATH = Path("/tmp/xf_bench_search.sqlite3")
PG_SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
PG_DB = "xf_bench_search"
SEED = 20261201
CHUNK = 50_000
GOAL_MEDIAN_MS, GOAL_P95_MS = 50.0, 200.0
KINDS = (
    "事项编号",
    "登记编号",
    "文号",
    "姓名（部分）",
    "姓（一字）",
    "身份证号",
    "手机号",
    "内容一词",
    "内容两词",
)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=200_000, help="registrations (default 200000)")
    p.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    p.add_argument("--queries", type=int, default=40, help="queries per kind")
    p.add_argument("--reuse", action="store_true", help="keep the data when the registration count matches")
    p.add_argument("--child", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        return child(args)
    rc = 0
    for db in ("sqlite", "postgres") if args.db == "both" else (args.db,):
        cmd = [
            sys.executable,
            __file__,
            "--child",
            db,
            "--rows",
            str(args.rows),
            "--queries",
            str(args.queries),
        ]
        rc |= subprocess.call(cmd + (["--reuse"] if args.reuse else []))
    return rc


def child(args):
    if args.child == "sqlite":
        if not args.reuse and SQLITE_PATH.exists():
            SQLITE_PATH.unlink()
        os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE_PATH}"
    else:
        _pg_database(drop=not args.reuse)
        os.environ["DATABASE_URL"] = f"{PG_SERVER}/{PG_DB}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "xinfang.settings"
    os.environ["XINFANG_VAR_DIR"] = "/tmp/xf_bench_search_var"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from xinfang.petitions.models import Registration

    print(f"\n=== {connection.vendor} ({connection.settings_dict['NAME']}) ===", flush=True)
    t = time.perf_counter()
    call_command("migrate", verbosity=0, skip_checks=True)
    print(f"migrate: {time.perf_counter() - t:.1f} s", flush=True)
    if Registration.objects.count() != args.rows:
        if Registration.objects.exists():
            print("row count differs: start again without --reuse")
            return 1
        t = time.perf_counter()
        Generator(args.rows).load()
        print(f"load: {time.perf_counter() - t:.1f} s", flush=True)
    run(args.queries)
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


# --- synthetic data --------------------------------------------------------------------------------------

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红梅鹏飞辉林志建国文斌宇浩凯健俊帆帅旭宁龙"
    "婷雪琳晶欣悦佳怡嘉琪子涵梓萱雨轩博文思远一鸣天佑浩然泽宇晨阳瑞泽沐宸安琪若曦语桐雅静欣妍诗雨紫涵依诺"
    "德福贵昌荣兴盛发顺利永长春秋冬夏山川河海云峰岩松柏竹兰菊芬芝珍珠宝金银铁钢锋锐毅坚诚信仁义礼智勤俭"
    "卓尔格桑扎西卓玛次仁拉姆多吉尼玛达瓦巴桑旺堆平措洛桑益西央金曲珍德吉白玛顿珠贡布仁增阿依古丽买提热"
)
REGIONS = ("513223", "513221", "513222", "513224", "510104", "510105", "511102", "513201", "513230", "510681")


def _vocabulary(rnd):
    """2-4-character nouns and verbs of jieba's dictionary with their frequencies (Zipf-like by nature)."""
    import jieba

    path = Path(jieba.__file__).parent / "dict.txt"
    words, weights = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        word, freq, tag = line.split(" ")
        if 2 <= len(word) <= 4 and tag in ("n", "v", "vn") and int(freq) >= 2000:
            words.append(word)
            weights.append(int(freq))
    return words, weights


def _id_number(rnd) -> str:
    from xinfang.core.validators import id_check_digit

    born = date(1940, 1, 1) + timedelta(days=rnd.randrange(65 * 365))
    first17 = f"{rnd.choice(REGIONS)}{born:%Y%m%d}{rnd.randrange(1000):03d}"
    return first17 + id_check_digit(first17)


class Generator:
    def __init__(self, rows: int):
        from django.db import connection

        self.rows = rows
        self.pg = connection.vendor == "postgresql"
        self.rnd = random.Random(SEED)

    def _setup(self):
        from xinfang.accounts.models import User
        from xinfang.accounts.services import grant_roles
        from xinfang.petitions.codes import load_codes
        from xinfang.petitions.models import Code, Unit

        load_codes()
        K = Unit.Kind
        gov = Unit.objects.create(code="513223000", name="茂县人民政府", kind=K.COUNTY_GOV, short_name="茂府")
        bureau = Unit.objects.create(code="513223XFJ", name="茂县信访局", kind=K.BUREAU, parent=gov,
                                     short_name="茂信访")  # fmt: skip
        units = [Unit.objects.create(code=f"513223D{i:02d}", name=f"县直部门{i}", kind=K.DEPARTMENT, parent=gov)
                 for i in range(20)]  # fmt: skip
        units += [Unit.objects.create(code=f"5132231{i:02d}", name=f"乡镇{i}", kind=K.TOWNSHIP, parent=gov)
                  for i in range(20)]  # fmt: skip
        clerk = User.objects.create_user(username="clerk", password=None, unit=bureau)  # unusable: no hashing
        grant_roles(clerk, "clerk")
        for u in units:
            officer = User.objects.create_user(username=f"unit{u.pk}", password=None, unit=u)
            grant_roles(officer, "unit_officer")
        purposes = list(Code.objects.filter(table="purpose").values_list("pk", "category"))
        content = list(Code.objects.filter(table="content").values_list("pk", flat=True))
        return (
            bureau.pk,
            [u.pk for u in units],
            [u.pk for u in units if u.kind == K.TOWNSHIP],
            purposes,
            content,
        )

    def load(self):
        from django.db import connection, transaction

        from xinfang.core import fieldcrypt
        from xinfang.petitions import pii, search
        from xinfang.petitions.models import Document, Matter, MatterSearch, Petitioner, Registration
        from xinfang.petitions.models import RegistrationPetitioner as RP

        t = time.perf_counter()
        rnd = self.rnd
        if not self.pg:
            with connection.cursor() as cur:
                cur.execute("PRAGMA journal_mode = OFF")  # a throw-away bulk load
                cur.execute("PRAGMA synchronous = OFF")
                cur.execute("PRAGMA cache_size = -400000")  # 400 MB
        bureau, units, townships, purposes, content_classes = self._setup()
        words, weights = _vocabulary(rnd)
        cum = list(itertools.accumulate(weights))  # rnd.choices with cum_weights: a bisect per draw
        tokens_of = {}  # vocabulary word -> its index tokens (jieba search mode), computed once

        def tokens(word):
            found = tokens_of.get(word)
            if found is None:
                found = tokens_of[word] = search.content_tokens(word)
            return found

        start, span = date(2019, 1, 1), (date(2026, 11, 30) - date(2019, 1, 1)).days
        names = []  # per petitioner id - 1: its name
        seqs: dict[tuple, int] = {}
        matter_unit, matter_year = [], []
        writers = {m: Writer(m, self.pg, ids=m in (Matter, Registration, Petitioner))
                   for m in (Matter, Registration, Petitioner, RP, MatterSearch, Document)}  # fmt: skip
        states = ("registered", "forwarded", "accepted", "investigating", "replied", "delivered", "closed")

        def seq(kind, year):
            seqs[kind, year] = seqs.get((kind, year), 0) + 1
            return seqs[kind, year]

        def iso_at(d, sec):
            dt = datetime(d.year, d.month, d.day) + timedelta(seconds=sec - 8 * 3600)
            return dt.strftime("%Y-%m-%d %H:%M:%S") + ("+00" if self.pg else "")

        now = iso_at(date(2026, 11, 30), 12 * 3600)
        reg_id = pet_id = 0
        with transaction.atomic():
            for mid in itertools.count(1):  # until --rows registrations exist
                day = start + timedelta(days=rnd.randrange(span))
                year, at = day.year, iso_at(day, 8 * 3600 + rnd.randrange(9 * 3600))
                purpose, category = purposes[rnd.randrange(len(purposes))]
                state = rnd.choice(states)
                unit = None if state == "registered" else rnd.choice(units)
                confidential = category == "accusation" and rnd.random() < 0.3
                title_words = rnd.choices(words, cum_weights=cum, k=2)
                title = "".join(title_words) + "问题"
                matter_unit.append(unit)
                matter_year.append(year)
                writers[Matter].add(
                    id=mid, number=f"XF{year}{seq('XF', year):06d}", title=title, category=category,
                    purpose_id=purpose, content_class_id=rnd.choice(content_classes),
                    township_id=rnd.choice(townships), state=state, registered_at=at, registered_on=day.isoformat(),
                    received_on=day.isoformat(), handling_unit_id=unit, is_confidential=confidential,
                    accused_unit_id=rnd.choice(units) if confidential else None,
                    clock="HANDLE" if unit else "TRIAGE", clock_due=(day + timedelta(days=60)).isoformat(),
                )  # fmt: skip
                texts = [title_words]
                for k in range(
                    2 if rnd.random() < 0.111 and reg_id + 2 <= self.rows else 1
                ):  # ~10 % of registrations repeat a matter
                    reg_id += 1
                    body = rnd.choices(words, cum_weights=cum, k=rnd.randrange(12, 30))
                    texts.append(body)
                    text = "，".join("".join(body[i : i + 4]) for i in range(0, len(body), 4)) + "。"
                    assigned = rnd.random() < 0.05
                    writers[Registration].add(
                        id=reg_id, number=f"DJ{year}{seq('DJ', year):06d}", matter_id=mid,
                        channel="assigned" if assigned else rnd.choice(("letter", "visit", "phone", "online")),
                        received_at=at, registered_at=at, content=text, request="请求依法解决。",
                        disposition="new" if k == 0 else "repeat",
                        external_number=f"阿信交〔{year}〕{seq('EXT', year)}号" if assigned else "",
                    )  # fmt: skip
                    if pet_id and rnd.random() < 0.2:
                        person = rnd.randrange(1, pet_id + 1)
                    else:
                        pet_id += 1
                        person = pet_id
                        given = "".join(rnd.choices(GIVEN, k=1 if rnd.random() < 0.3 else 2))
                        name = rnd.choice(SURNAMES) + given
                        id_number, mobile = (
                            _id_number(rnd),
                            f"1{rnd.choice('3456789')}{rnd.randrange(10**9):09d}",
                        )
                        names.append(name)
                        writers[Petitioner].add(
                            id=pet_id, kind="person", name=name, id_type="resident_id",
                            id_number=fieldcrypt.encrypt(id_number), mobile=fieldcrypt.encrypt(mobile),
                            created_at=now, **pii.hashes(id_number=id_number, mobile=mobile),
                        )  # fmt: skip
                    writers[RP].add(registration_id=reg_id, petitioner_id=person, is_representative=False)
                    if k == 0:
                        person_names = {names[person - 1]}
                    else:
                        person_names.add(names[person - 1])
                doc_tokens = sorted({t for group in texts for w in group for t in tokens(w)} | {"问题"})
                name_tokens = sorted(set().union(*(search.name_tokens(n) for n in person_names)))
                writers[MatterSearch].add(
                    matter_id=mid, names=" ".join(name_tokens), words=" ".join(doc_tokens), unit=unit
                )
                if unit and rnd.random() < 0.4:
                    s = seq("DOC", year)
                    writers[Document].add(
                        matter_id=mid, kind="transfer_slip", issuer_id=bureau, year=year, seq=s,
                        number=f"茂信访转〔{year}〕{s}号", title="信访事项转送单", body="", issued_on=day.isoformat(),
                        created_at=now,
                    )  # fmt: skip
                if mid % CHUNK == 0:
                    for w in writers.values():
                        w.flush()
                    print(
                        f"  {mid:,} matters, {reg_id:,} registrations: {time.perf_counter() - t:.0f} s",
                        flush=True,
                    )
                if reg_id >= self.rows:
                    break
            for w in writers.values():
                w.flush()
        print(f"  written: {mid:,} matters, {reg_id:,} registrations, {pet_id:,} petitioners, "
              f"{len(tokens_of):,} vocabulary words segmented: {time.perf_counter() - t:.1f} s", flush=True)  # fmt: skip
        t = time.perf_counter()
        if self.pg:
            with connection.cursor() as cur:
                for m in (Matter, Registration, Petitioner):
                    cur.execute(f"SELECT setval(pg_get_serial_sequence('{m._meta.db_table}', 'id'), "
                                f"(SELECT max(id) FROM {m._meta.db_table}))")  # fmt: skip
            connection.close()
            import psycopg

            with psycopg.connect(f"{PG_SERVER}/{PG_DB}", autocommit=True) as c:
                c.execute("VACUUM ANALYZE")
        else:
            with connection.cursor() as cur:
                cur.execute("ANALYZE")
        print(f"  {'VACUUM ANALYZE' if self.pg else 'ANALYZE'}: {time.perf_counter() - t:.1f} s", flush=True)


class Writer:
    """Rows of one model in its columns' order (defaults for the columns not given), written per chunk."""

    def __init__(self, model, pg: bool, *, ids: bool):
        from django.db.models import NOT_PROVIDED

        self.model, self.pg, self.rows = model, pg, []
        self.fields = []
        for f in model._meta.concrete_fields:
            if f.primary_key and f.attname == "id" and not ids:
                continue  # the database numbers the rows
            if f.default is not NOT_PROVIDED:
                default = f.default() if callable(f.default) else f.default
            else:
                default = None if f.null else ""
            self.fields.append((f.attname, f.column, default))
        self.columns = [c for _, c, _ in self.fields]

    def add(self, **values):
        self.rows.append([values.get(a, d) for a, _, d in self.fields])

    def flush(self):
        from django.db import connection

        if not self.rows:
            return
        table = self.model._meta.db_table
        with connection.cursor() as cur:
            if self.pg:
                with cur.cursor.copy(f"COPY {table} ({', '.join(self.columns)}) FROM STDIN") as copy:
                    copy.write("".join(_tsv(r) for r in self.rows))
            else:
                marks = ", ".join("?" * len(self.columns))
                cur.cursor.executemany(
                    f"INSERT INTO {table} ({', '.join(self.columns)}) VALUES ({marks})", self.rows
                )
        self.rows = []


def _tsv(row) -> str:
    def cell(v):
        if v is None:
            return "\\N"
        if v is True or v is False:
            return "t" if v else "f"
        if isinstance(v, dict):
            return "{}"
        return str(v).replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")

    return "\t".join(cell(v) for v in row) + "\n"


# --- timing ------------------------------------------------------------------------------------------------


def _samples(n: int):
    """n queries per kind: (kind, q, the matter's id, its handling unit, hand-SQL subquery and params)."""
    from django.db import connection

    from xinfang.petitions import pii, search
    from xinfang.petitions.models import Document, Matter, Petitioner, Registration

    rnd = random.Random(SEED + 1)
    pg = connection.vendor == "postgresql"
    top = Matter.objects.order_by("-pk").values_list("pk", flat=True).first()
    people = "SELECT r.matter_id FROM petitions_petitioner p JOIN petitions_registrationpetitioner rp ON rp.petitioner_id = p.id JOIN petitions_registration r ON r.id = rp.registration_id WHERE p.{} = %s"  # noqa: E501
    out = []

    def text(column, tokens, prefix=False, unit=None):
        """The index lookup; with `unit`, the unit's token in it (migration 0017), as for a unit officer."""
        if pg:
            sql = f"SELECT matter_id FROM petitions_mattersearch WHERE {column}_tsv @@ %s::tsquery"
            lexemes = [f"'{t}'" + (":*" if prefix else "") for t in tokens] + ([f"'#{unit}'"] if unit else [])
            return sql, [" & ".join(lexemes)]
        match = (
            f"{column} : ({' AND '.join(f'{chr(34)}{t}{chr(34)}' + ('*' if prefix else '') for t in tokens)})"
        ) + (f" AND unit : u{unit}" if unit else "")
        return "SELECT rowid FROM petitions_matter_fts WHERE petitions_matter_fts MATCH %s", [match]

    while len(out) < n * len(KINDS):
        m = Matter.objects.filter(pk=rnd.randrange(1, top + 1), is_confidential=False).first()
        if m is None:
            continue
        reg = Registration.objects.filter(matter=m).order_by("pk").first()
        person = _person(
            Petitioner.objects.filter(registrationpetitioner__registration=reg).values("pk").first()
        )
        doc = Document.objects.filter(matter=m).first()
        kind = KINDS[len(out) % len(KINDS)]
        if kind == "文号" and doc is None:
            continue
        body = [w for w in search.content_tokens(reg.content) if len(w) >= 2]
        if kind == "事项编号":
            q, sub = m.number, ("SELECT id FROM petitions_matter WHERE number = %s", [m.number])
        elif kind == "登记编号":
            q, sub = (
                reg.number,
                ("SELECT matter_id FROM petitions_registration WHERE number = %s", [reg.number]),
            )
        elif kind == "文号":
            q, sub = doc.number, ("SELECT matter_id FROM petitions_document WHERE number = %s", [doc.number])
        elif kind == "姓名（部分）":
            q = person.name[-2:]
            spec = ("names", search.query_name_tokens(q))
        elif kind == "姓（一字）":  # by name only: the hand SQL leaves out the words holding the character
            q = person.name[0]
            spec = ("names", [q], True)
        elif kind == "身份证号":
            q, sub = (
                person.id_number,
                (people.format("id_number_hash"), [pii.id_number_hash(person.id_number)]),
            )
        elif kind == "手机号":
            mob = person.mobile
            q, sub = (
                f"+86 {mob[:3]} {mob[3:7]} {mob[7:]}",
                (people.format("mobile_hash"), [pii.mobile_hash(mob)]),
            )
        elif kind == "内容一词":
            q = rnd.choice(body)
            spec = ("words", search.query_words(q))
        else:
            q = " ".join(rnd.sample(body, 2))
            spec = ("words", search.query_words(q))
        if kind in ("姓名（部分）", "姓（一字）", "内容一词", "内容两词"):
            sub, sub_unit = text(*spec), text(*spec, unit=m.handling_unit_id)
        else:
            sub_unit = sub
        out.append((kind, q, m.pk, m.handling_unit_id, sub, sub_unit))
    return out


def _person(row) -> SimpleNamespace:
    """A petitioner's name, ID number and mobile, read as stored: encrypted (ADR 0014), or plain in a database
    this script loaded before the encryption (kept by --reuse; nothing timed here reads them)."""
    from django.db import connection

    from xinfang.core import fieldcrypt

    with connection.cursor() as cur:
        cur.execute("SELECT name, id_number, mobile FROM petitions_petitioner WHERE id = %s", [row["pk"]])
        name, *stored = cur.fetchone()
    plain = [fieldcrypt.decrypt(v) if fieldcrypt.key_id_of(v) else v for v in stored]
    return SimpleNamespace(name=name, id_number=plain[0], mobile=plain[1])


def _hand(sub, unit_id, user_id):
    """The page as one would write it: the subquery on the indexed columns, the unit's filter, the newest 50 and
    one more (is there a next page?), as the search page does (no count)."""
    from django.db import connection

    sql, params = sub
    where = f"m.id IN ({sql})"
    if unit_id is not None:
        where += " AND m.handling_unit_id = %s AND NOT (m.is_confidential AND m.accused_unit_id = %s)"
        params = [*params, unit_id, unit_id]
    else:
        where += " AND NOT (m.is_confidential AND m.accused_user_id = %s)"
        params = [*params, user_id]
    with connection.cursor() as cur:
        cur.execute(f"SELECT m.id, m.number FROM petitions_matter m WHERE {where}"
                    " ORDER BY m.registered_at DESC, m.id DESC LIMIT 51", params)  # fmt: skip
        rows = cur.fetchall()
        return {i for i, _ in rows[:50]}, len(rows)


def _orm(user, q):
    """As casework.views.worklist runs a search: the search order (newest first), the first page of 50 and one
    row more (queries.OpenPage)."""
    from xinfang.petitions import queries

    qs = queries.worklist(user, queries.WorklistFilter(queue=False, q=q, sort=queries.SEARCH_SORT))
    page = queries.OpenPage.read(qs, 1, 50)
    return {m.pk for m in page.object_list}, len(page.object_list) + page.has_next


def _ms(fn):
    t = time.perf_counter()
    result = fn()
    return (time.perf_counter() - t) * 1000, result


def run(n: int):
    from xinfang.accounts.models import User
    from xinfang.petitions import access, search

    search._jieba()  # the dictionary loads once per process (about a second), not in the first query
    clerk = User.objects.get(username="clerk")
    officers = {u.unit_id: u for u in User.objects.exclude(unit_id=None).exclude(username="clerk")}
    samples = _samples(n)
    whos = (
        "全县",
        "单位",
        "单位·旧",
    )  # 单位·旧: the unit officer without the unit's token (before migration 0017)
    times = {(k, who, how): [] for k in KINDS for who in whos for how in ("orm", "hand")}
    hits, wrong, missed = {k: [] for k in KINDS}, [], []
    for kind, q, mid, unit_id, county_sub, unit_sub in samples:
        for who, user, unit, sub in (
            ("全县", clerk, None, county_sub),
            ("单位", officers.get(unit_id), unit_id, unit_sub),
        ):
            if user is None:  # a matter in no unit yet: only the county-wide user sees it
                continue
            ms_orm, (ids, count) = _ms(lambda user=user, q=q: _orm(user, q))
            ms_hand, (hand_ids, hand_count) = _ms(lambda unit=unit, sub=sub: _hand(sub, unit, clerk.pk))
            times[kind, who, "orm"].append(ms_orm)
            times[kind, who, "hand"].append(ms_hand)
            if who == "全县":
                hits[kind].append(count)
            if count < hand_count:
                wrong.append((kind, who, q, count, hand_count))
            if mid not in ids and count <= 50:
                missed.append((kind, who, q))
            if who == "单位":  # the same page as before the unit's token: the lookup without it
                with mock.patch.object(access, "search_unit", lambda user: None):
                    ms_old, _ = _ms(lambda user=user, q=q: _orm(user, q))
                ms_hand, _ = _ms(lambda unit=unit, sub=county_sub: _hand(sub, unit, clerk.pk))
                times[kind, "单位·旧", "orm"].append(ms_old)
                times[kind, "单位·旧", "hand"].append(ms_hand)
    print(f"\n{n} queries per kind; ms; ORM = queries.worklist(q) newest first, page of 50 + 1 (no count); "
          f"hand = raw SQL on the indexed columns, the same page. "
          f"Goal: median < {GOAL_MEDIAN_MS:.0f}, p95 < {GOAL_P95_MS:.0f}.")  # fmt: skip
    print(f"{'kind':<10}{'user':<6}{'ORM median':>12}{'ORM p95':>10}{'hand median':>13}{'hand p95':>10}"
          f"{'rows≤51 (median/max)':>22}  goal")  # fmt: skip
    for kind in KINDS:
        for who in whos:
            orm, hand = times[kind, who, "orm"], times[kind, who, "hand"]
            if not orm:
                continue
            om, op, hm, hp = _median(orm), _p95(orm), _median(hand), _p95(hand)
            ok = "yes" if om < GOAL_MEDIAN_MS and op < GOAL_P95_MS else "NO"
            found = f"{int(statistics.median(hits[kind]))}/{max(hits[kind])}" if who == "全县" else ""
            print(f"{kind:<10}{who:<6}{om:>12.1f}{op:>10.1f}{hm:>13.1f}{hp:>10.1f}{found:>22}  {ok}")
    print(f"ORM found fewer than the hand SQL: {len(wrong)} {wrong[:3]}")
    print(f"the sampled matter not on a page that holds all matches: {len(missed)} {missed[:3]}")


def _median(values):
    return statistics.median(values)


def _p95(values):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


if __name__ == "__main__":
    sys.exit(main())
