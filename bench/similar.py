"""同人同事 at scale (issue 16): candidate lookup time, recall@10 and precision@3 of the MinHash/LSH index against
brute force, index build time and size; on PostgreSQL also full-text (ts_rank) and pg_trgm for the same queries.
Prints figures; nothing here asserts a time.

    .venv/bin/python bench/similar.py [--matters 100000] [--db sqlite|postgres|both] [--queries 200]
                                      [--only-clusters]

Each database runs in its own subprocess with its own throw-away database: SQLite /tmp/xf_bench_similar.sqlite3,
PostgreSQL `xf_bench_similar` on $BENCH_PG (default postgres://postgres@127.0.0.1:5432), dropped and created
($BENCH_SIMILAR_DB names both otherwise, for two runs at once).

Data (seeded): `load_codes()`, a bureau, 20 townships, a clerk; --matters matters, each with its search row
(`MatterSearch.words`) as search.refresh writes it. The texts are petitions of 12 topics (wages, land
compensation, demolition, roads, pensions, schools, pollution …), each composed of 4–6 of its topic's sentence
templates in random order with random villages, townships, companies, amounts, counts and years — so that many
matters of one topic look alike, as they do in a county — plus one sentence of 6–13 words drawn from jieba's
nouns and verbs (Zipf weights), the particulars of each petitioner's story. To load a million rows in minutes, the words of the
bulk matters are the union of the tokens of each template piece and slot value (search.content_tokens, cached;
jieba on whole texts would cost most of the load); the labelled matters and every query go through jieba whole.

Labelled sample: --queries source matters, each stored with two variants of it (so three true duplicates in the
database); the query is a third variant. Variants: sentences reordered; paraphrased (synonyms, a sentence
dropped); added detail (one or two more sentences); another township's and village's names. recall@10 = share
of the three duplicates in the first 10; precision@3 = share of the first 3 that are duplicates.
Brute force = the exact Ochiai score of the query against every matter's words (postings in memory, numpy),
the best 10. The index = similar.candidates (band keys → the 100 matters sharing most → exact score) for a
county-wide clerk, timed whole (median and p95; goal < 20 ms and < 100 ms).
Index build = similar.rebuild() from the search rows; size = the band table and its index.
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

ROOT = Path(__file__).resolve().parent.parent
PG_DB = os.environ.get("BENCH_SIMILAR_DB", "xf_bench_similar")  # another name for runs side by side
SQLITE_PATH = Path(f"/tmp/{PG_DB}.sqlite3")
PG_SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
SEED = 20261216
CHUNK = 20_000
GOAL_MEDIAN_MS, GOAL_P95_MS = 20.0, 100.0
ALTERNATIVE_QUERIES = 40  # full text and pg_trgm take seconds per query: the first 40 labelled queries

VILLAGES = [f"{a}{b}村" for a in "东西南北上下前后大小新老" for b in "河山坪沟坝湾岭坡林田"]
TOWNS = [f"{a}{b}镇" for a in "凤南石富叠土沙回白太黑三光洼赤曲维松" for b in "仪新安顺"]
COMPANIES = [
    f"{a}{b}{c}公司"
    for a in "茂川蜀岷羌华兴盛"
    for b in "宏达利隆丰恒泰"
    for c in ("建筑", "建材", "物流", "劳务")
]
TOPICS = {
    "wages": (
        "拖欠农民工工资",
        [
            "我们是{town}{village}的村民，在{company}打工。",
            "{company}拖欠我们{n}名农民工的工资共计{amount}万元。",
            "包工头已经跑路，公司负责人一直推脱不管。",
            "我们多次到劳动监察大队反映，至今没有结果。",
            "春节将至，家里老人孩子等着用钱。",
            "请求督促{company}支付拖欠的工资。",
        ],
    ),
    "land": (
        "征地补偿款未兑现",
        [
            "{year}年{town}{village}的集体土地被征用修建工业园区。",
            "承诺的征地补偿款{amount}万元至今没有发放到位。",
            "村委会说补偿款被镇里挪作他用，我们{n}户村民的生活没有着落。",
            "补偿标准比相邻村组低很多，分配不公开不透明。",
            "请求公开征地补偿款的去向并足额兑现。",
            "失地农民的社会保障也没有落实。",
        ],
    ),
    "demolition": (
        "房屋拆迁安置问题",
        [
            "{year}年因旧城改造我家房屋被拆除。",
            "拆迁时承诺三年内安置到位，现在已经过了{n}年仍未安置。",
            "过渡费从去年起停发，我们只能租房居住。",
            "安置房的面积和位置与协议不符。",
            "请求{town}政府按照拆迁协议落实安置房并补发过渡费{amount}万元。",
        ],
    ),
    "road": (
        "村道年久失修",
        [
            "{town}{village}通往场镇的村道年久失修。",
            "路面坑洼不平，雨天泥泞难行，学生上学很不安全。",
            "村里{n}户群众出行困难，农产品运不出去。",
            "{year}年就说要硬化，至今没有动工。",
            "请求尽快安排资金硬化道路并修建排水沟。",
        ],
    ),
    "pension": (
        "养老保险待遇未发放",
        [
            "本人在{company}工作二十多年，{year}年退休。",
            "单位没有足额缴纳养老保险，退休后养老金一直没有核定发放。",
            "社保局说要补缴{amount}万元才能办理，单位已经破产改制。",
            "请求帮助落实养老保险待遇。",
            "本人身患疾病，生活十分困难。",
        ],
    ),
    "school": (
        "学校撤并学生上学远",
        [
            "{town}{village}小学被撤并后，孩子要到十几公里外的中心校上学。",
            "没有校车，家长每天接送非常困难。",
            "全村有{n}名学生受到影响，有的只能辍学在家。",
            "请求恢复村小教学点或者安排校车接送。",
        ],
    ),
    "pollution": (
        "企业排污影响生活",
        [
            "{company}在{village}旁边建厂，每天排放刺鼻气体。",
            "工厂废水直接排入河里，庄稼减产，鱼虾死亡。",
            "村里{n}人出现咳嗽头晕等症状。",
            "环保部门来检查过，工厂停了几天又继续生产。",
            "请求依法查处{company}的违法排污行为并赔偿损失。",
        ],
    ),
    "medical": (
        "医疗纠纷赔偿问题",
        [
            "{year}年我母亲在县人民医院做手术后病情加重。",
            "医院存在明显的医疗过错，却拒绝承担责任。",
            "我们花费医疗费用{amount}万元，家庭负债累累。",
            "医疗事故鉴定迟迟不做。",
            "请求卫健部门调查处理并督促医院赔偿。",
        ],
    ),
    "housing": (
        "危房改造补助被截留",
        [
            "我家被评为{year}年危房改造户。",
            "按政策应补助{amount}万元，村干部只给了一部分。",
            "村里有{n}户存在同样情况，补助款被截留挪用。",
            "请求查清危房改造补助资金的发放情况。",
            "村干部优亲厚友，把不符合条件的亲戚评为改造户。",
        ],
    ),
    "water": (
        "饮水工程不能正常供水",
        [
            "{town}{village}的人饮工程{year}年建成后一直不能正常供水。",
            "管道经常爆裂，水池漏水，夏天多次断水。",
            "全村{n}户群众只能到几公里外挑水。",
            "请求维修饮水工程，解决群众吃水难问题。",
        ],
    ),
    "subsidy": (
        "低保评定不公",
        [
            "我家{n}口人，丈夫残疾，孩子上学，生活困难。",
            "多次申请低保都没有评上。",
            "村里一些条件好的家庭却享受低保。",
            "评定过程不公开，没有张榜公示。",
            "请求重新审核{village}的低保评定。",
        ],
    ),
    "contract": (
        "土地承包经营权纠纷",
        [
            "我家在{village}承包的{n}亩土地被村组收回另行发包。",
            "承包合同约定期限到{year}年，村组单方面违约。",
            "土地流转费{amount}万元被村组干部私分。",
            "请求确认我家的土地承包经营权并返还土地。",
        ],
    ),
}
EXTRA = [
    "我们已经向{town}政府反映过三次。",
    "相关材料已经附后。",
    "恳请领导高度重视。",
    "如果问题得不到解决，我们只能到上级部门反映。",
    "事情已经拖了{n}个月。",
    "村干部对此也很清楚。",
]
SYNONYMS = [("拖欠", "克扣"), ("工资", "工钱"), ("请求", "恳请"), ("至今", "到现在"), ("公司", "企业"),
            ("补偿款", "补偿费"), ("群众", "老百姓"), ("困难", "艰难"), ("督促", "责令"), ("村道", "村里的路"),
            ("发放", "发给"), ("尽快", "抓紧"), ("学生", "孩子"), ("村干部", "村组干部"), ("反映", "反应")]  # fmt: skip


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--matters", type=int, default=100_000)
    p.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    p.add_argument("--queries", type=int, default=200)
    p.add_argument(
        "--bands", type=int, default=0, help="try other LSH settings: bands (default similar.BANDS)"
    )
    p.add_argument("--no-alternatives", action="store_true", help="PostgreSQL: skip full text and pg_trgm")
    p.add_argument("--rows", type=int, default=0, help="… and values per band (default similar.ROWS)")
    p.add_argument("--variants", action="store_true", help="also time the lookup variants (ADR 0015)")
    p.add_argument("--build-before", type=int, default=0, help="first time the former build on N matters")
    p.add_argument("--only-clusters", action="store_true",
                   help="measure the county's clusters (苗头性问题) only, not the lookups")  # fmt: skip
    p.add_argument("--child", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        return child(args)
    rc = 0
    for db in ("sqlite", "postgres") if args.db == "both" else (args.db,):
        cmd = [sys.executable, __file__, "--child", db, "--matters", str(args.matters), "--queries",
               str(args.queries), "--bands", str(args.bands), "--rows", str(args.rows)]  # fmt: skip
        cmd += ["--no-alternatives"] if args.no_alternatives else []
        cmd += ["--build-before", str(args.build_before)]
        cmd += ["--only-clusters"] if args.only_clusters else []
        rc |= subprocess.call(cmd + (["--variants"] if args.variants else []))
    return rc


def child(args):
    if args.child == "sqlite":
        SQLITE_PATH.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE_PATH}"
    else:
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as c:
            c.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
            c.execute(f"CREATE DATABASE {PG_DB}")
        os.environ["DATABASE_URL"] = f"{PG_SERVER}/{PG_DB}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "xinfang.settings"
    os.environ["XINFANG_VAR_DIR"] = f"/tmp/{PG_DB}_var"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    print(
        f"\n=== {connection.vendor} ({connection.settings_dict['NAME']}), {args.matters:,} matters ===",
        flush=True,
    )
    call_command("migrate", verbosity=0, skip_checks=True)
    if args.bands or args.rows:
        _settings(args.bands, args.rows)
    labelled = load(args.matters, args.queries)
    build(args.build_before)
    measure_clusters()
    if not args.only_clusters:
        measure(labelled, alternatives=not args.no_alternatives)
        if args.variants:
            measure_variants(labelled)
    return 0


def _settings(bands: int, rows: int):
    """Other LSH settings for this run only (the index is rebuilt with them below)."""
    import numpy as np

    from xinfang.petitions import similar

    similar.BANDS, similar.ROWS = bands or similar.BANDS, rows or similar.ROWS
    similar.HASHES = similar.BANDS * similar.ROWS
    rng = np.random.default_rng(20261201)
    similar._A = rng.integers(1, similar._PRIME, similar.HASHES, dtype=np.uint64)
    similar._B = rng.integers(0, similar._PRIME, similar.HASHES, dtype=np.uint64)
    print(f"LSH settings for this run: {similar.BANDS} bands × {similar.ROWS} rows", flush=True)


# --- texts ----------------------------------------------------------------------------------------------


def _fill(rnd, template: str, slots: dict) -> str:
    return template.format(**slots)


def _slots(rnd) -> dict:
    return {"town": rnd.choice(TOWNS), "village": rnd.choice(VILLAGES), "company": rnd.choice(COMPANIES),
            "n": rnd.randrange(2, 60), "amount": rnd.randrange(2, 300), "year": rnd.randrange(2008, 2026)}  # fmt: skip


def compose(rnd, topic: str, slots: dict) -> tuple[str, list[str]]:
    title, templates = TOPICS[topic]
    chosen = rnd.sample(templates, k=min(len(templates), rnd.randrange(4, 7)))
    return title, [_fill(rnd, t, slots) for t in chosen]


def variant(rnd, kind: str, sentences: list[str], slots: dict) -> list[str]:
    out = list(sentences)
    if kind == "reordered":
        rnd.shuffle(out)
    elif kind == "paraphrase":
        if len(out) > 3:
            out.pop(rnd.randrange(len(out)))
        text = "\n".join(out)
        for a, b in rnd.sample(SYNONYMS, k=8):
            text = text.replace(a, b)
        out = text.split("\n")
    elif kind == "detail":
        out += [_fill(rnd, t, slots) for t in rnd.sample(EXTRA, k=2)]
    elif kind == "township":
        other = {**slots, "town": rnd.choice(TOWNS), "village": rnd.choice(VILLAGES)}
        text = (
            "\n".join(out).replace(slots["town"], other["town"]).replace(slots["village"], other["village"])
        )
        out = text.split("\n")
    return out


KINDS = ("reordered", "paraphrase", "detail", "township")


# --- load -----------------------------------------------------------------------------------------------


def load(matters: int, queries: int):
    """Bulk matters with search rows; returns [(query text, kind, {ids of the three duplicates})]."""
    import importlib.util

    from django.db import connection, transaction

    from xinfang.accounts.models import User
    from xinfang.accounts.services import grant_roles
    from xinfang.petitions import search
    from xinfang.petitions.codes import load_codes
    from xinfang.petitions.models import Code, Matter, MatterSearch, Unit

    spec = importlib.util.spec_from_file_location("bench_search", ROOT / "bench" / "search.py")
    bench_search = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench_search)  # its Writer: COPY on PostgreSQL, executemany on SQLite
    pg = connection.vendor == "postgresql"
    if not pg:
        with connection.cursor() as cur:
            cur.execute("PRAGMA journal_mode = OFF")
            cur.execute("PRAGMA synchronous = OFF")
            cur.execute("PRAGMA cache_size = -400000")
    load_codes()
    gov = Unit.objects.create(code="513223000", name="茂县人民政府", kind=Unit.Kind.COUNTY_GOV)
    bureau = Unit.objects.create(code="513223XFJ", name="茂县信访局", kind=Unit.Kind.BUREAU, parent=gov)
    townships = [Unit.objects.create(code=f"5132231{i:02d}", name=f"乡镇{i}", kind=Unit.Kind.TOWNSHIP, parent=gov).pk
                 for i in range(20)]  # fmt: skip
    clerk = User.objects.create_user(username="clerk", password=None, unit=bureau)
    grant_roles(clerk, "clerk")
    purpose = Code.objects.filter(table="purpose", category="claim").values_list("pk", flat=True).first()
    classes = list(Code.objects.filter(table="content").values_list("pk", flat=True))
    rnd = random.Random(SEED)
    cache: dict[str, list[str]] = {}

    def tokens(piece: str) -> list[str]:
        found = cache.get(piece)
        if found is None:
            found = cache[piece] = search.content_tokens(piece)
        return found

    vocabulary, weights = bench_search._vocabulary(rnd)  # jieba's nouns and verbs, Zipf-weighted
    cum = list(itertools.accumulate(weights))
    topics = list(TOPICS)
    labelled_at = set(rnd.sample(range(1, matters + 1), k=min(queries, matters // 4)))
    out = []
    t = time.perf_counter()
    writers = {m: bench_search.Writer(m, pg, ids=m is Matter) for m in (Matter, MatterSearch)}
    start, span = date(2019, 1, 1), (date(2026, 11, 30) - date(2019, 1, 1)).days
    mid = 0

    def add(title, words, day):
        nonlocal mid
        mid += 1
        at = datetime(day.year, day.month, day.day, 2).strftime("%Y-%m-%d %H:%M:%S") + ("+00" if pg else "")
        writers[Matter].add(
            id=mid, number=f"XF{day.year}{mid:07d}", title=title, category="claim", purpose_id=purpose,
            content_class_id=rnd.choice(classes), township_id=rnd.choice(townships), state="registered",
            registered_at=at, registered_on=day.isoformat(), received_on=day.isoformat(), clock="TRIAGE",
        )  # fmt: skip
        writers[MatterSearch].add(matter_id=mid, names="", words=" ".join(sorted(words)))
        return mid

    with transaction.atomic():
        while mid < matters:
            day = start + timedelta(days=rnd.randrange(span))
            topic = rnd.choice(topics)
            slots = _slots(rnd)
            title, sentences = compose(rnd, topic, slots)
            detail = rnd.choices(
                vocabulary, cum_weights=cum, k=rnd.randrange(6, 14)
            )  # this petitioner's story
            story = "，".join(detail) + "。"
            sentences.insert(rnd.randrange(len(sentences) + 1), story)
            if mid + 1 in labelled_at and mid + 3 <= matters:
                kinds = rnd.sample(KINDS, k=3)
                ids = set()
                for kind in (None, *kinds[:2]):
                    text = sentences if kind is None else variant(rnd, kind, sentences, slots)
                    ids.add(add(title, search.content_tokens("\n".join([title, *text])), day))
                query = "\n".join([title, *variant(rnd, kinds[2], sentences, slots)])
                out.append((query, kinds[2], ids))
            else:
                words = set(tokens(title))
                for s in sentences:  # the pieces between the slots, the slot values, the words: each cut once
                    for piece in detail if s is story else _pieces(s, slots):
                        words.update(tokens(piece))
                add(title, words, day)
            if len(writers[Matter].rows) >= CHUNK:
                for w in writers.values():
                    w.flush()
        for w in writers.values():
            w.flush()
    print(
        f"load: {mid:,} matters with search rows, {len(out)} labelled: {time.perf_counter() - t:.1f} s",
        flush=True,
    )
    if pg:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT setval(pg_get_serial_sequence('petitions_matter', 'id'), (SELECT max(id) FROM petitions_matter))"
            )
    return out


def _pieces(sentence: str, slots: dict) -> list[str]:
    values = sorted({str(v) for v in slots.values()}, key=len, reverse=True)
    pieces = [sentence]
    for v in values:
        pieces = [part for p in pieces for part in (p.split(v) if v in p else [p])] + (
            [v] if v in sentence else []
        )
    return [p for p in pieces if p]


# --- build and measure ----------------------------------------------------------------------------------


def _rebuild_before(matters: int) -> float:
    """The build as it was before issue 16's speed work (one signature and 24 blake2b per matter, ORM rows by
    bulk_create in batches of 5,000 into the indexed table, autocommit), over the first `matters` matters only:
    matters/s."""
    import numpy as np

    from xinfang.petitions import similar
    from xinfang.petitions.models import MatterSearch, SimilarityBand

    def band_keys(tokens):
        import hashlib

        if not tokens:
            return []
        x = np.fromiter((similar._base(t) for t in tokens), dtype=np.uint64, count=len(tokens))
        sig = ((np.outer(x, similar._A) + similar._B) % similar._PRIME).min(axis=0)
        keys = []
        for band in range(similar.BANDS):
            part = sig[band * similar.ROWS : (band + 1) * similar.ROWS].astype(np.uint64).tobytes()
            digest = hashlib.blake2b(bytes([band]) + part, digest_size=8).digest()
            keys.append(int.from_bytes(digest, "big", signed=True))
        return sorted(set(keys))

    t = time.perf_counter()
    SimilarityBand.objects.all().delete()
    last, done = 0, 0
    while done < matters:
        part = list(
            MatterSearch.objects.filter(matter_id__gt=last).order_by("matter_id")
            .values_list("matter_id", "words")[: min(5000, matters - done)]
        )  # fmt: skip
        if not part:
            break
        bands = [
            SimilarityBand(key=k, matter_id=pk)
            for pk, words in part
            for k in band_keys(similar.shingles(words))
        ]
        SimilarityBand.objects.bulk_create(bands, batch_size=5000)
        last, done = part[-1][0], done + len(part)
    took = time.perf_counter() - t
    print(f"index build as before (per matter, bulk_create), first {done:,} matters: {took:.1f} s,"
          f" {done / took:.0f} matters/s", flush=True)  # fmt: skip
    return done / took


def build(before: int = 0):
    from django.db import connection

    from xinfang.petitions import similar
    from xinfang.petitions.models import Matter

    if before:
        _rebuild_before(before)
    t = time.perf_counter()
    rows = similar.rebuild(chunk=5000)
    took = time.perf_counter() - t
    rate = f"{Matter.objects.count() / took:.0f} matters/s"
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("VACUUM ANALYZE petitions_similarityband")  # what autovacuum does after a bulk load
            cur.execute("ANALYZE")
            cur.execute("SELECT pg_total_relation_size('petitions_similarityband'), "
                        "pg_relation_size('petitions_similarityband')")  # fmt: skip
            total, table = cur.fetchone()
            size = f"{total / 2**20:.0f} MB (table {table / 2**20:.0f} MB, indexes {(total - table) / 2**20:.0f} MB)"
        else:
            cur.execute("ANALYZE")
            try:
                cur.execute("SELECT name, SUM(pgsize) FROM dbstat WHERE name IN (SELECT name FROM sqlite_master"
                            " WHERE tbl_name = 'petitions_similarityband') GROUP BY name")  # fmt: skip
                parts = dict(cur.fetchall())
                size = f"{sum(parts.values()) / 2**20:.0f} MB ({', '.join(f'{k} {v / 2**20:.0f}' for k, v in parts.items())})"
            except Exception as e:  # dbstat not compiled in
                size = f"n/a ({e})"
    print(
        f"index build (similar.rebuild): {rows:,} band rows in {took:.1f} s ({rate}); size {size}", flush=True
    )


def measure_clusters(runs: int = 3):
    """苗头性问题 (petitions/clusters.py) for a county-wide user over the last 30 days of the data: how many
    matters the window holds, the clusters found and the time (median of `runs`)."""
    from xinfang.accounts.models import User
    from xinfang.petitions import clusters
    from xinfang.petitions.models import Matter

    clerk = User.objects.get(username="clerk")
    today = date(2026, 11, 30)
    start, end = clusters.window(today)
    held = Matter.objects.filter(registered_on__gte=start, registered_on__lte=end).count()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        found = clusters.clusters(clerk, today=today)
        times.append(time.perf_counter() - t)
    sizes = sorted((c.size for c in found), reverse=True)
    print(f"clusters (30 days to {today}, {held:,} matters in the window): {len(found)} clusters, sizes "
          f"{sizes[:12]}, {sum(sizes):,} matters in them; {statistics.median(times):.2f} s (median of {runs})",
          flush=True)  # fmt: skip


def _postings():
    """Brute force: every matter's words as postings in memory (token -> matter ids), with the set sizes."""
    import numpy as np
    from django.db import connection

    from xinfang.petitions import similar

    t = time.perf_counter()
    ids, sizes, post = [], [], {}
    with connection.cursor() as cur:
        cur.execute("SELECT matter_id, words FROM petitions_mattersearch ORDER BY matter_id")
        for i, (mid, words) in enumerate(cur.fetchall()):
            toks = similar.shingles(words)
            ids.append(mid)
            sizes.append(len(toks))
            for tok in toks:
                post.setdefault(tok, []).append(i)
    post = {k: np.array(v, dtype=np.int32) for k, v in post.items()}
    print(f"brute force postings: {len(post):,} words, {time.perf_counter() - t:.1f} s", flush=True)
    return np.array(ids), np.array(sizes, dtype=np.float64), post


def _brute(words, ids, sizes, post, k=10):
    import numpy as np

    lists = [post[w] for w in words if w in post]
    if not lists:
        return []
    shared = np.bincount(np.concatenate(lists), minlength=len(ids)).astype(np.float64)
    score = shared / np.sqrt(np.maximum(sizes, 1) * len(words))
    top = np.argpartition(-score, k)[:k]
    top = top[np.argsort(-score[top])]
    return [int(ids[i]) for i in top if score[i] > 0]


def measure(labelled, *, alternatives: bool = True):
    from django.db import connection

    from xinfang.accounts.models import User
    from xinfang.petitions import search, similar

    search._jieba()
    clerk = User.objects.get(username="clerk")
    ids, sizes, post = _postings()
    times, bands_ms, rec, prec, brute_rec, brute_prec, agree = [], [], [], [], [], [], []
    by_kind = {k: [] for k in KINDS}
    for query, kind, truth in labelled:
        t = time.perf_counter()
        found = similar.candidates(clerk, similar.Draft(content=query))
        times.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        similar._band_matters(similar.band_keys(similar.text_shingles(query)))
        bands_ms.append((time.perf_counter() - t) * 1000)
        got = [c.matter.pk for c in found]
        brute = _brute(similar.text_shingles(query), ids, sizes, post)
        rec.append(len(truth & set(got[:10])) / len(truth))
        prec.append(len(truth & set(got[:3])) / 3)
        brute_rec.append(len(truth & set(brute[:10])) / len(truth))
        brute_prec.append(len(truth & set(brute[:3])) / 3)
        agree.append(len(set(brute[:10]) & set(got[:10])) / max(1, min(10, len(brute))))
        by_kind[kind].append(rec[-1])
    print(f"similar.candidates (clerk, content only), {len(times)} queries: median {statistics.median(times):.1f} ms,"
          f" p95 {_p95(times):.1f} ms (goal < {GOAL_MEDIAN_MS:.0f} / < {GOAL_P95_MS:.0f}); the band statement alone:"
          f" median {statistics.median(bands_ms):.1f} ms, p95 {_p95(bands_ms):.1f} ms")  # fmt: skip
    print(
        f"index:       recall@10 {statistics.mean(rec):.3f}, precision@3 {statistics.mean(prec):.3f}; "
        f"by variant: {', '.join(f'{k} {statistics.mean(v):.3f}' for k, v in by_kind.items() if v)}"
    )
    print(
        f"brute force: recall@10 {statistics.mean(brute_rec):.3f}, precision@3 {statistics.mean(brute_prec):.3f}; "
        f"index top 10 ∩ brute-force top 10: {statistics.mean(agree):.3f}",
        flush=True,
    )
    if connection.vendor == "postgresql" and alternatives:
        _postgres_alternatives(labelled)


def _postgres_alternatives(labelled):
    """The same queries by the search index's tsvector (OR of the words, ts_rank) and by pg_trgm on the words."""
    from django.db import connection

    from xinfang.petitions import similar

    for name, setup, sql, arg in (
        ("full text (words_tsv, OR, ts_rank_cd)", [],
         "SELECT matter_id FROM petitions_mattersearch WHERE words_tsv @@ to_tsquery('simple', %s)"
         " ORDER BY ts_rank_cd(words_tsv, to_tsquery('simple', %s)) DESC LIMIT 10",
         lambda ws: " | ".join(f"'{w}'" for w in ws)),
        ("pg_trgm (words % query, GIN gin_trgm_ops)",
         ["CREATE EXTENSION IF NOT EXISTS pg_trgm",
          "CREATE INDEX IF NOT EXISTS bench_words_trgm ON petitions_mattersearch USING gin (words gin_trgm_ops)",
          "SET pg_trgm.similarity_threshold = 0.3"],
         "SELECT matter_id FROM petitions_mattersearch WHERE words %% %s ORDER BY similarity(words, %s) DESC LIMIT 10",
         lambda ws: " ".join(sorted(ws))),
    ):  # fmt: skip
        with connection.cursor() as cur:
            t = time.perf_counter()
            for s in setup:
                cur.execute(s)
            setup_s = time.perf_counter() - t
            times, rec = [], []
            for query, _kind, truth in labelled[:ALTERNATIVE_QUERIES]:
                words = similar.text_shingles(query)
                t = time.perf_counter()
                cur.execute(sql, [arg(words), arg(words)])
                got = [r[0] for r in cur.fetchall()]
                times.append((time.perf_counter() - t) * 1000)
                rec.append(len(truth & set(got)) / len(truth))
        print(
            f"{name}: median {statistics.median(times):.1f} ms, p95 {_p95(times):.1f} ms, recall@10 "
            f"{statistics.mean(rec):.3f}" + (f" (index build {setup_s:.1f} s)" if setup else ""),
            flush=True,
        )


# --- lookup variants, measured in the same run on the same index -------------------------------------------
# Each is a replacement of similar._band_matters (draft's band keys → at most `n` matter ids, best first); the
# rest of similar.candidates (exact score of those, access, reasons) is the same.


def _table():
    from xinfang.petitions.models import SimilarityBand

    return SimilarityBand._meta.db_table


def _all_keys(keys, n=100):
    """Before issue 16's speed work: every row of every key, one GROUP BY."""
    from django.db import connection

    marks = ", ".join(["%s"] * len(keys))
    with connection.cursor() as cur:
        cur.execute(f"SELECT matter_id FROM {_table()} WHERE key IN ({marks}) GROUP BY matter_id"
                    f" ORDER BY COUNT(*) DESC, matter_id DESC LIMIT {n}", keys)  # fmt: skip
        return [r[0] for r in cur.fetchall()]


def _frequencies(keys, cap):
    """key → its number of matters, counted up to cap + 1 (each key's index entries, at most cap + 1 read)."""
    from django.db import connection

    one = f"SELECT key FROM {_table()} WHERE key = %s LIMIT {cap + 1}"
    union = " UNION ALL ".join(f"SELECT * FROM ({one}) AS k{i}" for i in range(len(keys)))
    with connection.cursor() as cur:
        cur.execute(f"SELECT key, COUNT(*) FROM ({union}) AS u GROUP BY key", keys)
        return dict(cur.fetchall())


def _weighted(weighted, cap, n=100):
    """[(key, weight)] → the matters with the largest sum of weights over each key's newest `cap` rows."""
    from django.db import connection

    if not weighted:
        return []
    one = f"SELECT matter_id, %s AS w FROM {_table()} WHERE key = %s ORDER BY matter_id DESC LIMIT {cap}"
    union = " UNION ALL ".join(f"SELECT * FROM ({one}) AS k{i}" for i in range(len(weighted)))
    params = [v for key, w in weighted for v in (float(w), key)]
    with connection.cursor() as cur:
        cur.execute(f"SELECT matter_id FROM ({union}) AS u GROUP BY matter_id ORDER BY SUM(w) DESC, matter_id DESC"
                    f" LIMIT {n}", params)  # fmt: skip
        return [r[0] for r in cur.fetchall()]


def _rare_only(keys, cap, n=100):
    """(a) keys with more than `cap` matters are dropped (a stop list learnt on the fly); the rest read whole."""
    from django.db import connection

    df = _frequencies(keys, cap)
    rare = [k for k in keys if 0 < df.get(k, 0) <= cap]
    if not rare:
        return []
    marks = ", ".join(["%s"] * len(rare))
    with connection.cursor() as cur:
        cur.execute(f"SELECT matter_id FROM {_table()} WHERE key IN ({marks}) GROUP BY matter_id"
                    f" ORDER BY COUNT(*) DESC, matter_id DESC LIMIT {n}", rare)  # fmt: skip
        return [r[0] for r in cur.fetchall()]


def _idf(keys, cap, n=100, common=0.0):
    """(b) each key weighted log((cap + 1) / df): rare keys count more; keys over the cap count `common`
    (read newest first, at most cap rows)."""
    import math

    df = _frequencies(keys, cap)
    weighted = [(k, math.log((cap + 1) / df[k]) if df[k] <= cap else common) for k in keys if df.get(k)]
    return _weighted([(k, w) for k, w in weighted if w > 0], cap, n)


def _rarest(keys, cap, k, n=100):
    """(b) only the k rarest keys, each read newest first up to cap."""
    df = _frequencies(keys, cap)
    present = sorted((df[key], key) for key in keys if df.get(key))
    return _weighted([(key, 1) for _, key in present[:k]], cap, n)


def _newest(keys, cap, n=100):
    """(c) every key, each read newest first up to cap (a bound per key, no frequencies)."""
    return _weighted([(k, 1) for k in keys], cap, n)


def _rare_then_common(keys, cap, n=100):
    """(a) + (c): rare keys count 1, common keys' newest `cap` rows count 0.01 (tie-breakers, and candidates
    for a draft made only of common keys)."""
    df = _frequencies(keys, cap)
    return _weighted([(k, 1 if df[k] <= cap else 0.01) for k in keys if df.get(k)], cap, n)


def _variants():
    from functools import partial

    return [
        ("all keys, whole (before)", _all_keys),
        *[(f"(a) drop keys over {cap} matters", partial(_rare_only, cap=cap)) for cap in (1000, 3000)],
        ("(a) drop keys over 1000, 50 scored", partial(_rare_only, cap=1000, n=50)),
        ("(a)+(c) over 1000: newest 1000 at weight 0.01", partial(_rare_then_common, cap=1000)),
        ("(b) idf weights, cap 1000, common dropped", partial(_idf, cap=1000)),
        ("(b) idf weights, cap 1000, common 0.05", partial(_idf, cap=1000, common=0.05)),
        ("(b) the 12 rarest keys, newest 1000 each", partial(_rarest, cap=1000, k=12)),
        ("(c) every key's newest 1000", partial(_newest, cap=1000)),
        ("(c) every key's newest 3000", partial(_newest, cap=3000)),
    ]


def measure_variants(labelled):
    from xinfang.accounts.models import User
    from xinfang.petitions import similar

    clerk = User.objects.get(username="clerk")
    kept, kept_n = similar._band_matters, similar.CANDIDATES_FROM_BANDS
    print(f"lookup variants, {len(labelled)} queries each (same index, same run; times are upper bounds):")
    print("| variant | lookup median / p95 ms | band step median / p95 ms | recall@10 | precision@3 |")
    print("|---|---|---|---|---|")
    landed = f"as landed: similar._band_matters (drop keys over {similar.KEY_CAP} matters)"
    for name, find in [(landed, None), *_variants()]:
        band = kept if find is None else (lambda keys, find=find: find(keys) if keys else [])
        similar._band_matters = band
        times, band_ms, rec, prec = [], [], [], []
        try:
            for query, _kind, truth in labelled:
                t = time.perf_counter()
                got = [c.matter.pk for c in similar.candidates(clerk, similar.Draft(content=query))]
                times.append((time.perf_counter() - t) * 1000)
                keys = similar.band_keys(similar.text_shingles(query))
                t = time.perf_counter()
                band(keys)
                band_ms.append((time.perf_counter() - t) * 1000)
                rec.append(len(truth & set(got[:10])) / len(truth))
                prec.append(len(truth & set(got[:3])) / 3)
        finally:
            similar._band_matters, similar.CANDIDATES_FROM_BANDS = kept, kept_n
        print(f"| {name} | {statistics.median(times):.1f} / {_p95(times):.1f} | {statistics.median(band_ms):.1f} /"
              f" {_p95(band_ms):.1f} | {statistics.mean(rec):.3f} | {statistics.mean(prec):.3f} |", flush=True)  # fmt: skip


def _p95(values):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


if __name__ == "__main__":
    sys.exit(main())
