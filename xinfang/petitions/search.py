"""One search box for matters: numbers (事项编号 XF…, 登记编号 DJ…, 上级交办编号, 文号), ID numbers and mobiles
(exact, by their keyed hashes: pii.py), petitioner names (partial) and words of the title and content.

The words come from jieba: a matter's title and its registrations' content, request and facts are cut with
`cut_for_search` (words and their sub-words); a query is cut into its finest words, all of which must occur.
Names are indexed as the whole name and its two-character pieces, so "张三" finds 张三丰 and 欧阳张三; one
character (a surname: 张) is matched as the start of a piece (SQLite FTS5 `"张"*`, PostgreSQL `'张':*`). Long
digit strings (ID numbers, phone numbers typed into the content) never enter the index.

The index is one row per matter (`MatterSearch`: names, words as space-separated tokens), written by
`refresh(matter)` from the services that change what it holds (services.register_petition, a corrected
title). The database keeps its own search structure from that row: on PostgreSQL two generated tsvector
columns with GIN indexes, on SQLite an FTS5 table kept by triggers (migrations
0013_search_index_and_pii_hashes, 0017_mattersearch_unit). The row also holds the matter's handling unit,
indexed as one more token (PostgreSQL `#12`, SQLite `unit : u12`) and copied by the database whenever the unit
changes, so that a unit officer's words are looked up within the unit by the index itself. Numbers and the hashes
are looked up on their own indexed columns. `matching(q)` returns the ids as one SQL UNION, which the worklist
combines with access.visible_matters, so that a hidden matter is never found (and its existence not told).
"""

import json
import logging
import re
import threading
import unicodedata

import jieba
from django.db import connection
from django.db.models import F, Func, IntegerField, Q
from django.db.models.expressions import RawSQL
from django.db.models.lookups import In

from xinfang.petitions import pii
from xinfang.petitions.models import (
    Document,
    Matter,
    MatterSearch,
    Petitioner,
    Registration,
    RegistrationPetitioner,
)

_ready = threading.Lock()
_loaded = False


def _jieba():
    """jieba with its dictionary loaded once per process (about a second), quietly."""
    global _loaded
    if not _loaded:
        with _ready:
            if not _loaded:
                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _loaded = True
    return jieba


def load_dictionary() -> None:
    """jieba's dictionary into this process now (gunicorn's post_worker_init: before the worker takes requests,
    so that no request waits for it)."""
    _jieba()


_WORD = re.compile(r"[^\W_]+")
_PII_LIKE = re.compile(r"\d{11,}|\d{14,}x")  # ID and phone numbers stay out of the index (pii.py hashes them)


def _token(word: str) -> str:
    """The indexed form of a word (NFKC, lower case), or "" when it is punctuation, space or a long number."""
    word = unicodedata.normalize("NFKC", word).strip().lower()
    if not word or not _WORD.fullmatch(word) or _PII_LIKE.search(word):
        return ""
    return word


def content_tokens(text: str) -> list[str]:
    """The words of a text as indexed: jieba's search mode (every word and its dictionary sub-words)."""
    return sorted({t for w in _jieba().cut_for_search(text or "") if (t := _token(w))})


def query_words(text: str) -> list[str]:
    """The words a query needs: each word of jieba's precise cut, replaced by its sub-words when it has
    some (拖欠工资 → 拖欠, 工资), so that the text need not contain the query's long word as one piece."""
    words = []
    for w in _jieba().cut(text or ""):
        if not (t := _token(w)):
            continue
        subs = [s for w2 in _jieba().cut_for_search(t) if (s := _token(w2)) and s != t]
        words.extend(subs if subs and len("".join(subs)) >= len(t) else [t])
    return list(dict.fromkeys(words))


def _letters(name: str) -> str:
    return "".join(_WORD.findall(unicodedata.normalize("NFKC", name or "").lower()))


def name_tokens(name: str) -> set[str]:
    """The whole name (letters only: 阿依·买买提 → 阿依买买提) and its two-character pieces."""
    letters = _letters(name)
    return {letters, *(letters[i : i + 2] for i in range(len(letters) - 1))} - {""}


def query_name_tokens(text: str) -> list[str]:
    """The pieces a partial name needs: its two-character pieces (one character: itself, matched as the start
    of an indexed piece: `_name_prefix`)."""
    letters = _letters(text)
    if len(letters) < 2:
        return [letters] if letters else []
    return list(dict.fromkeys(letters[i : i + 2] for i in range(len(letters) - 1)))


def _name_prefix(tokens: list[str]) -> bool:
    """One character typed as a name (a surname: 张) is matched as the start of an indexed piece, since no piece
    is one character long: 张 finds 张三 and 张伟 (and 李张伟, whose piece 张伟 starts with it)."""
    return len(tokens) == 1 and len(tokens[0]) == 1


# --- keeping the index current ------------------------------------------------------------------------


def document_of(title: str, texts: list[str], names: list[str]) -> dict[str, str]:
    """The index row of a matter: {"names": …, "words": …}."""
    name_set = set().union(*(name_tokens(n) for n in names)) if names else set()
    return {
        "names": " ".join(sorted(name_set)),
        "words": " ".join(content_tokens("\n".join([title, *texts]))),
    }


def refresh(matter: Matter) -> None:
    """Rewrite the index row of `matter` from its title, registrations and petitioners. Called by the services
    in the transaction of the change."""
    regs = Registration.objects.filter(matter=matter).values_list("content", "request", "facts")
    texts = [t for row in regs for t in row if t]
    names = list(
        Petitioner.objects.filter(registrationpetitioner__registration__matter=matter)
        .values_list("name", flat=True)
        .distinct()
    )
    row = document_of(matter.title, texts, names)
    # The unit only when the row is new: afterwards the database keeps it (migration 0017), and `matter` may be
    # an instance read before a transition.
    MatterSearch.objects.update_or_create(
        matter_id=matter.pk, defaults=row, create_defaults={**row, "unit": matter.handling_unit_id}
    )
    from xinfang.petitions import similar  # (it reads this module's tokens)

    similar.refresh(matter.pk, row["words"])  # the band keys of 同事 candidates follow the words


def index_new(matter: Matter, texts: list[str], names: list[str]) -> None:
    """The index row of a matter created in this transaction, from what was just written (its first
    registration's texts, its petitioners' names as stored): the row `refresh` would write, without reading
    them back (issue 14: two SELECTs and an upsert fewer per registration)."""
    row = document_of(matter.title, texts, names)
    MatterSearch.objects.create(matter_id=matter.pk, unit=matter.handling_unit_id, **row)
    from xinfang.petitions import similar

    similar.refresh(matter.pk, row["words"], new=True)


def rebuild(*, models=None, chunk: int = 2000) -> int:
    """Rebuild every index row (data migration, after a bulk load). `models` maps model names to the models to
    use (a migration's historical models); default: the current ones."""
    m = models or {
        "Matter": Matter, "Registration": Registration, "RegistrationPetitioner": RegistrationPetitioner,
        "MatterSearch": MatterSearch,
    }  # fmt: skip
    m["MatterSearch"].objects.all().delete()
    ids = list(m["Matter"].objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        matters = {pk: (title, unit) for pk, title, unit in
                   m["Matter"].objects.filter(pk__in=part).values_list("pk", "title", "handling_unit_id")}  # fmt: skip
        texts: dict[int, list[str]] = {pk: [] for pk in part}
        for matter_id, *row in (
            m["Registration"]
            .objects.filter(matter_id__in=part)
            .values_list("matter_id", "content", "request", "facts")
        ):
            texts[matter_id].extend(t for t in row if t)
        names: dict[int, set[str]] = {pk: set() for pk in part}
        for matter_id, name in (
            m["RegistrationPetitioner"]
            .objects.filter(registration__matter_id__in=part)
            .values_list("registration__matter_id", "petitioner__name")
        ):
            names[matter_id].add(name)
        m["MatterSearch"].objects.bulk_create(
            [
                m["MatterSearch"](
                    matter_id=pk,
                    unit=matters[pk][1],
                    **document_of(matters[pk][0], texts[pk], sorted(names[pk])),
                )
                for pk in part
            ]
        )
    return len(ids)


# --- finding ------------------------------------------------------------------------------------------

_OPEN = str.maketrans({"[": "〔", "(": "〔", "【": "〔", "]": "〕", ")": "〕", "】": "〕"})


def normal_number(text: str) -> str:
    """A number as stored: NFKC (full-width to ASCII), no spaces, upper case, 〔〕 around a 文号's year."""
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", text)).upper().translate(_OPEN)


def _in(column: str, values: list) -> tuple[str, list]:
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)


def _numbers_sql(term: str) -> list[tuple[str, list]]:
    """Exact lookups of 事项编号, 登记编号, 上级交办编号 and 文号 on their indexes (SQL written out: this runs on
    every search, and compiling four querysets cost more than running them)."""
    number = normal_number(term)
    if not re.search(r"\d", number):
        return []
    numbers = {number}
    if re.fullmatch(r"\d{10}", number):  # the year and sequence without XF/DJ
        numbers |= {f"XF{number}", f"DJ{number}"}
    external, numbers = sorted(numbers | {term.strip()}), sorted(numbers)
    lookups = [
        (Matter, "id", "number", numbers),
        (Registration, "matter_id", "number", numbers),
        (Registration, "matter_id", "external_number", external),
        (Document, "matter_id", "number", numbers),
    ]
    parts = []
    for model, select, column, values in lookups:
        where, params = _in(column, values)
        parts.append((f"SELECT {select} FROM {model._meta.db_table} WHERE {where}", params))
    return parts


def _people_sql(column: str, hashes: list[str]) -> tuple[str, list]:
    """The matters of the petitioners whose `column` (a hash column) is one of `hashes`."""
    where, params = _in(f"p.{column}", hashes)
    return (
        f"SELECT r.matter_id FROM {Petitioner._meta.db_table} p"
        f" JOIN {RegistrationPetitioner._meta.db_table} rp ON rp.petitioner_id = p.id"
        f" JOIN {Registration._meta.db_table} r ON r.id = rp.registration_id WHERE {where}",
        params,
    )


def text_sql(terms: list[str], *, unit: int | None = None) -> tuple[str, list] | None:
    """One index lookup (vendor SQL) for terms that must all occur, each as a name piece or as words; None when
    the terms hold neither. One statement for all terms: intersecting per-term id lists of common words costs
    far more than letting the index intersect them. `unit`: only the matters that unit handles (its token is
    indexed with the words, migration 0017: a common word in one unit is read off the index, not tested matter
    by matter)."""
    conditions = [(query_name_tokens(t), query_words(t)) for t in terms]
    conditions = [(names, words) for names, words in conditions if names or words]
    if not conditions:
        return None
    if connection.vendor == "postgresql":
        ors, params = [], []
        for names, words in conditions:
            parts = []
            for column, tokens in (("names_tsv", names), ("words_tsv", words)):
                if tokens:
                    prefix = ":*" if column == "names_tsv" and _name_prefix(tokens) else ""
                    parts.append(f"{column} @@ %s::tsquery")
                    lexemes = [f"'{t}'{prefix}" for t in tokens] + ([f"'#{int(unit)}'"] if unit else [])
                    params.append(" & ".join(lexemes))
            ors.append(f"({' OR '.join(parts)})")
        return f"SELECT matter_id FROM petitions_mattersearch WHERE {' AND '.join(ors)}", params
    ors = []
    for names, words in conditions:
        parts = [
            "({} : ({}))".format(column, " AND ".join(
                f'"{t}"' + ("*" if column == "names" and _name_prefix(tokens) else "") for t in tokens))
            for column, tokens in (("names", names), ("words", words))
            if tokens
        ]  # fmt: skip
        ors.append(f"({' OR '.join(parts)})")
    if unit:
        ors.append(f"(unit : u{int(unit)})")
    return "SELECT rowid FROM petitions_matter_fts WHERE petitions_matter_fts MATCH %s", [" AND ".join(ors)]


def _union(parts: list[tuple[str, list]]) -> RawSQL:
    return RawSQL(" UNION ".join(sql for sql, _ in parts), [p for _, params in parts for p in params])


_NOTHING = ("SELECT id FROM petitions_matter WHERE 1 = 0", [])


def matching(q: str, *, unit: int | None = None) -> list[RawSQL]:
    """The ids of the matters `q` finds, as subqueries that must all hold: one for an ID number, a mobile or a
    number typed with spaces; otherwise one per word of the query (a number, a name piece or words). Empty
    list: `q` asks for nothing. `unit`: the words are looked up within that unit's matters only (the exact
    kinds find a few rows anyway)."""
    q = (q or "").strip()
    if not q:
        return []
    whole = re.sub(r"\s", "", q)
    if pii.looks_like_mobile(whole):  # first: "0086" and a mobile has as many digits as an old ID number
        return [_union([_people_sql("mobile_hash", [pii.mobile_hash(whole)])])]
    if pii.looks_like_id_number(whole):
        return [
            _union([_people_sql("id_number_hash", pii.id_number_lookup_hashes(whole)), *_numbers_sql(whole)])
        ]
    if whole != q and re.fullmatch(r"[A-Za-z0-9\s]+", q) and re.search(r"\d", q):  # "DJ 2026 000123"
        return [_union(_numbers_sql(whole) or [_NOTHING])]
    # A word with a digit may be a number or words (2019年): its own subquery; the other words in one lookup.
    subqueries, words = [], []
    for term in q.split():
        if numbers := _numbers_sql(term):
            subqueries.append(_union([*numbers, *filter(None, [text_sql([term], unit=unit)])]))
        else:
            words.append(term)
    if words and (text := text_sql(words, unit=unit)) is not None:
        subqueries.append(_union([text]))
    return subqueries or [_union([_NOTHING])]


# Up to this many ids are fetched first and given to the worklist as a list: the planner then knows how few
# rows it joins (PostgreSQL at 1 M matters chose scans of the whole matter table for `IN (subquery)`).
ID_LIST_MAX = 5000


def _broad(sql: str, params: list) -> bool:
    """PostgreSQL: the planner expects more than ID_LIST_MAX rows (from the statistics of the tsvector columns).
    Fetching ids of a common word costs more than the page itself (the whole GIN posting list and a heap row per
    id: ~60 ms for 5,000 of 22,000 at 1 M matters), and for such a word the planner pages well on its own."""
    if connection.vendor != "postgresql":
        return False  # FTS5 gives its ids cheaply
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return plan[0]["Plan"]["Plan Rows"] > ID_LIST_MAX


# For the choice of `_walk`: the rows a search page reads (queries.OpenPage: 50 and one more), and what a found
# matter costs when all are looked up, joined and sorted, in index entries walked (0.03 ms against 0.009 ms on
# bench/search.py's SQLite data at 200,000 registrations).
PAGE_ROWS = 51
SORT_COST = 3


def _walk(found: int) -> bool:
    """SQLite, a page in the search order: walk the order's index (registered_at, id) from the newest and test
    each matter against the found ids, rather than look up every found matter and sort them all? SQLite's planner
    always does the latter for `id IN (…)`; the walk reads about PAGE_ROWS × matters / found entries, so it pays
    when found² × SORT_COST > PAGE_ROWS × matters (at 180,000 matters: above ~1,750 found; a surname or a
    common word, never a number or a name). The matters are counted by the largest id (off the primary key)."""
    if connection.vendor != "sqlite" or found < PAGE_ROWS:
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {Matter._meta.db_table}")
        matters = cursor.fetchone()[0] or 0
    return found * found * SORT_COST > PAGE_ROWS * matters


def _pk_in(values):
    """`pk IN values` that SQLite cannot look up by the primary key (`+id`), so that it reads the rows in the
    order's index and only tests each one (`_walk`)."""
    unindexed = Func(F("pk"), template="+%(expressions)s", output_field=IntegerField())
    return In(unindexed, values)


def filter_matters(qs, q: str, *, unit: int | None = None, ordered: bool = False):
    """`qs` (already limited by access.visible_matters) narrowed to the matters `q` finds. `unit`: the user sees
    only that unit's matters (access.search_unit), so the index is asked for those only; `qs` still decides.
    `ordered`: `qs` will be read a page at a time in queries.SEARCH_SORT (see `_walk`)."""
    for subquery in matching(q, unit=unit):
        sql, params = subquery.sql, subquery.params
        if _broad(sql, params):
            qs = qs.filter(pk__in=subquery)
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM ({sql}) found LIMIT {ID_LIST_MAX + 1}", params)
            ids = [row[0] for row in cursor.fetchall()]
        values = ids if len(ids) <= ID_LIST_MAX else subquery
        qs = qs.filter(_pk_in(values) if ordered and _walk(len(ids)) else Q(pk__in=values))
    return qs
