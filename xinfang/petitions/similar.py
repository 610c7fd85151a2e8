"""同人同事 (issue 16): the earlier matters a draft registration may repeat, ranked, with the reasons.

Three sources of candidates, each an indexed lookup, so that the cost does not grow with the county's history:

* **the same person** — the keyed hashes of the normalised ID number (15 → 18 digits), mobile and landline
  (pii.py: never the plain value), for every petitioner of the draft: individuals, the representatives of a
  collective visit and whoever acts for others alike (each is a petitioner of the registration);
* **the same words** — a MinHash signature of the matter's words (the search index's jieba tokens of the title
  and every registration's content, request and facts, two characters or more, without the words every
  petition uses) cut into LSH bands; each band's key is a row of `SimilarityBand` (one indexed table, the same
  SQL on SQLite and PostgreSQL: ADR 0015). A draft's candidates are the matters sharing most of its
  rare band keys (a key of more than KEY_CAP matters is boilerplate and not read);
* **the same place and kind** — matters of the same township and content class registered in the last
  `RECENT_DAYS`.

Each candidate is then scored from the exact word overlap (Ochiai: shared words / √(|a|·|b|), shown as
“内容相似 87%”) and the structured keys (同一证件号, 同一电话, 同名, 同乡镇同类别, 同一被反映单位) — a suggestion
for the clerk, who decides (services.register_petition records the choice). Candidates are limited to what the
user may see (access.visible_matters), and a confidential matter (检举控告) is never suggested.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from xinfang.petitions import access, pii, search, workflow
from xinfang.petitions.models import (
    Code,
    Matter,
    MatterSearch,
    Petitioner,
    Registration,
    RegistrationPetitioner,
    SimilarityBand,
    Unit,
)

# MinHash: HASHES functions, cut into BANDS bands of ROWS values (a pair of matters with word Jaccard J shares
# a band with probability 1 - (1 - J^ROWS)^BANDS: J = 0.3 → 0.90, 0.4 → 0.98). Changing them means rebuild().
BANDS, ROWS = 24, 2
HASHES = BANDS * ROWS
_PRIME = (1 << 31) - 1
_rng = np.random.default_rng(20261201)  # fixed: the functions must be the same in every process and release
_A = _rng.integers(1, _PRIME, HASHES, dtype=np.uint64)
_B = _rng.integers(0, _PRIME, HASHES, dtype=np.uint64)

# Words that nearly every petition uses: they say nothing about which matter it is.
STOP_WORDS = frozenset(
    "我们 你们 他们 我的 自己 这个 那个 一个 没有 什么 怎么 因为 所以 但是 而且 已经 还是 就是 可以 要求 请求 问题 "
    "反映 情况 希望 领导 有关 相关 部门 政府 解决 处理 给予 进行 目前 现在 至今 多次 一直 本人 信访 事项 依法 关于".split()
)

RECENT_DAYS = 30  # same township and class: registered within this many days
CANDIDATES_FROM_BANDS = 100  # the matters sharing most band keys, scored exactly
KEY_CAP = 300  # a band key of more matters than this is common: not read (_band_matters)
MIN_CONTENT = 0.2  # below this, shared words alone are not a reason
LIMIT = 10


# --- the signature ------------------------------------------------------------------------------------


def shingles(words: str | list[str]) -> set[str]:
    """The words a matter is compared by: indexed tokens (search.content_tokens, or a MatterSearch row's
    `words`) of two characters or more, without STOP_WORDS."""
    tokens = words.split() if isinstance(words, str) else words
    return {t for t in tokens if len(t) >= 2 and t not in STOP_WORDS}


def text_shingles(text: str) -> set[str]:
    return shingles(search.content_tokens(text))


def _base(token: str) -> int:
    return int.from_bytes(hashlib.blake2b(token.encode(), digest_size=8).digest(), "big") % _PRIME


def signature(tokens: set[str]) -> np.ndarray | None:
    """The MinHash signature (HASHES values) of a set of words; None for an empty set."""
    if not tokens:
        return None
    return signatures([tokens])[0]


def signatures(token_sets: list[set[str]], bases: dict[str, int] | None = None) -> np.ndarray:
    """The signatures of many non-empty sets at once (one row each): every word's HASHES hash values in one
    numpy array, the minimum per set by `np.minimum.reduceat` — the same values as one set at a time.
    `bases`: a cache of the words' blake2b values across calls (rebuild)."""
    bases = {} if bases is None else bases
    words = [t for tokens in token_sets for t in tokens]
    for t in set(words).difference(bases):
        bases[t] = _base(t)
    x = np.fromiter(map(bases.__getitem__, words), dtype=np.uint64, count=len(words))
    starts = np.cumsum([0] + [len(tokens) for tokens in token_sets[:-1]])
    return np.minimum.reduceat((np.outer(x, _A) + _B) % _PRIME, starts, axis=0)


def _keys_of(sigs: np.ndarray) -> list[list[int]]:
    """The band keys (signed 64-bit, as stored, sorted, distinct) of each row of signatures."""
    raw = np.ascontiguousarray(sigs, dtype=np.uint64).tobytes()
    width, out = ROWS * 8, []
    for row in range(len(sigs)):
        at = row * HASHES * 8
        keys = {
            int.from_bytes(
                hashlib.blake2b(bytes([band]) + raw[at + band * width : at + (band + 1) * width], digest_size=8)
                .digest(), "big", signed=True,
            )
            for band in range(BANDS)
        }  # fmt: skip
        out.append(sorted(keys))
    return out


def band_keys(tokens: set[str]) -> list[int]:
    """The LSH band keys (signed 64-bit, as stored) of a set of words; [] for an empty set."""
    return _keys_of(signatures([tokens]))[0] if tokens else []


def refresh(matter_id: int, words: str, *, new: bool = False) -> None:
    """Rewrite the band rows of a matter from its search row's words (search.refresh and search.index_new call
    it; `new`: the matter was created in this transaction and has none yet — one INSERT, no DELETE)."""
    if not new:
        SimilarityBand.objects.filter(matter_id=matter_id).delete()
    SimilarityBand.objects.bulk_create(
        [SimilarityBand(key=k, matter_id=matter_id) for k in band_keys(shingles(words))]
    )


def _write_bands(table: str, rows: list[tuple[int, int]]) -> None:
    """(key, matter id) rows in bulk: COPY on PostgreSQL, one executemany on SQLite."""
    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} (key, matter_id) FROM STDIN") as copy:
                copy.write("".join(f"{k}\t{m}\n" for k, m in rows))
        else:
            cursor.executemany(f"INSERT INTO {table} (key, matter_id) VALUES (%s, %s)", rows)


def _secondary_indexes(table: str) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the table's indexes but its primary key, as the database holds them."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
                " WHERE x.indrelid = %s::regclass AND NOT x.indisprimary AND NOT x.indisunique",
                [table],
            )
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                [table],
            )
        return cursor.fetchall()


@transaction.atomic
def rebuild(*, chunk: int = 5000, models=None) -> int:
    """Every matter's band rows again, from the search rows (after a bulk load, or a change of BANDS/ROWS):
    the table emptied and its indexes dropped, per chunk of matters the signatures at once (numpy) and the rows
    in bulk (COPY on PostgreSQL), then the indexes created again from their own definitions — one sort instead
    of millions of random index inserts; one transaction. `models`: a migration's historical models by name."""
    m = models or {"MatterSearch": MatterSearch, "SimilarityBand": SimilarityBand}
    table = m["SimilarityBand"]._meta.db_table
    indexes = _secondary_indexes(table)
    pg = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if pg:  # PostgreSQL refuses DDL and TRUNCATE while deferred foreign-key checks are pending
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        cursor.execute(f"{'TRUNCATE' if pg else 'DELETE FROM'} {table}")
    rows, last, bases = 0, 0, {}
    while True:
        part = list(
            m["MatterSearch"].objects.filter(matter_id__gt=last).order_by("matter_id")
            .values_list("matter_id", "words")[:chunk]
        )  # fmt: skip
        if not part:
            break
        last = part[-1][0]
        sets = [(pk, shingles(words)) for pk, words in part]
        sets = [(pk, tokens) for pk, tokens in sets if tokens]
        bands = []
        for at in range(0, len(sets), 200):  # 200 × ~40 words × HASHES values: fits the CPU cache
            piece = sets[at : at + 200]
            keys = _keys_of(signatures([tokens for _, tokens in piece], bases))
            bands += [(k, pk) for (pk, _), ks in zip(piece, keys, strict=True) for k in ks]
        _write_bands(table, bands)
        rows += len(bands)
    with connection.cursor() as cursor:
        for _, create in indexes:
            cursor.execute(create)
        if pg:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return rows


# --- the draft and its candidates ---------------------------------------------------------------------


@dataclass
class Person:
    name: str = ""
    id_number: str = ""
    mobile: str = ""
    landline: str = ""


@dataclass
class Draft:
    """What a clerk has typed so far (or an online submission, or an API caller's draft)."""

    content: str = ""  # title, content, request and facts together
    petitioners: list[Person] = field(default_factory=list)
    township: str = ""  # Unit.code
    content_class: str = ""  # Code.code
    accused_unit: str = ""  # Unit.code
    exclude: int | None = None  # the matter of the draft itself (an online submission being registered)


@dataclass
class Candidate:
    matter: Matter
    score: float
    content: float  # word overlap 0..1
    reasons: list[str]

    @property
    def choices(self) -> list[str]:
        return choices(self.matter)


def _people_keys(people: list[Person]) -> dict[str, set[str]]:
    keys: dict[str, set[str]] = {"id_number_hash": set(), "mobile_hash": set(), "landline_hash": set(),
                                 "name_key": set()}  # fmt: skip
    for p in people:
        if p.id_number.strip():
            keys["id_number_hash"].update(pii.id_number_lookup_hashes(p.id_number))
        if p.mobile.strip():
            keys["mobile_hash"].add(pii.mobile_hash(p.mobile))
        if p.landline.strip():
            keys["landline_hash"].add(pii.landline_hash(p.landline))
        if p.name.strip() and (key := pii.name_key(p.name)):
            keys["name_key"].add(key)
    return {k: v - {""} for k, v in keys.items()}


def _person_matters(keys: dict[str, set[str]]) -> dict[int, set[str]]:
    """matter id → which identifiers of the draft's people its petitioners share (not the names: a name alone
    finds too many; it is a reason for a candidate found otherwise)."""
    q = None
    for column in ("id_number_hash", "mobile_hash", "landline_hash"):
        if keys[column]:
            q = (q or Q()) | Q(**{f"petitioner__{column}__in": keys[column]})
    if q is None:
        return {}
    found: dict[int, set[str]] = {}
    rows = (
        RegistrationPetitioner.objects.filter(q)
        .order_by("-registration__registered_at")
        .values_list("registration__matter_id", "petitioner__id_number_hash", "petitioner__mobile_hash",
                     "petitioner__landline_hash")[:500]
    )  # fmt: skip
    for matter_id, id_hash, mobile, landline in rows:
        found.setdefault(matter_id, set())
        if id_hash in keys["id_number_hash"]:
            found[matter_id].add("id")
        if mobile in keys["mobile_hash"] or landline in keys["landline_hash"]:
            found[matter_id].add("phone")
    return found


def _band_matters(keys: list[int]) -> list[int]:
    """The matters sharing most of the draft's *rare* band keys. Two indexed statements: how many matters each
    key has, counted up to KEY_CAP + 1 (at most that many index entries per key); then the matters sharing most
    of the keys of KEY_CAP matters or fewer. A key of more matters is the county's boilerplate (a topic's common
    words, thousands of matters alike) and says nothing about which matter the draft repeats: it is dropped — a
    stop list learnt from the index itself at each lookup, so always up to date, with no table to keep. The
    time is bounded by 2 × BANDS × KEY_CAP index entries whatever the history. Reading every row of every key (as
    before), each key's newest rows only, and weighting rare keys (idf) were measured: ADR 0015."""
    if not keys:
        return []
    table = SimilarityBand._meta.db_table
    one = f"SELECT key FROM {table} WHERE key = %s LIMIT {KEY_CAP + 1}"
    capped = " UNION ALL ".join(f"SELECT * FROM ({one}) AS k{i}" for i in range(len(keys)))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, COUNT(*) FROM ({capped}) AS capped GROUP BY key", keys)
        rare = [key for key, matters in cursor.fetchall() if matters <= KEY_CAP]
        if not rare:
            return []
        marks = ", ".join(["%s"] * len(rare))
        cursor.execute(
            f"SELECT matter_id FROM {table} WHERE key IN ({marks}) GROUP BY matter_id"
            f" ORDER BY COUNT(*) DESC, matter_id DESC LIMIT {CANDIDATES_FROM_BANDS}",
            rare,
        )
        return [row[0] for row in cursor.fetchall()]


def ochiai(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / (len(a) * len(b)) ** 0.5


def _pk_of(model, **lookup) -> int | None:
    return (
        model.objects.filter(**lookup).values_list("pk", flat=True).first() if all(lookup.values()) else None
    )


def candidates(user, draft: Draft, *, limit: int = LIMIT) -> list[Candidate]:
    """The ranked candidates for `draft` that `user` may see (best first, at most `limit`). The candidates are
    scored from a few columns and their words; only the best `limit` are read as matters."""
    words = text_shingles(draft.content)
    people = _people_keys(draft.petitioners)
    by_person = _person_matters(people)
    ids = set(by_person) | set(_band_matters(band_keys(words)))
    township = _pk_of(Unit, code=draft.township)
    content_class = _pk_of(Code, table=Code.Table.CONTENT, code=draft.content_class, is_active=True)
    accused = _pk_of(Unit, code=draft.accused_unit)
    if township and content_class:
        since = timezone.now() - timedelta(days=RECENT_DAYS)
        ids |= set(
            Matter.objects.filter(township_id=township, content_class_id=content_class, registered_at__gte=since)
            .order_by("-registered_at").values_list("pk", flat=True)[:50]
        )  # fmt: skip
    ids.discard(draft.exclude)
    if not ids:
        return []
    rows = (
        access.visible_matters(user).filter(pk__in=ids, is_confidential=False, merged_into__isnull=True)
        .values_list("pk", "township_id", "content_class_id", "accused_unit_id", "search__words")
    )  # fmt: skip
    names: dict[int, set[str]] = {}
    if people["name_key"]:
        for matter_id, key in RegistrationPetitioner.objects.filter(
            registration__matter_id__in=ids, petitioner__name_key__in=people["name_key"]
        ).values_list("registration__matter_id", "petitioner__name_key"):
            names.setdefault(matter_id, set()).add(key)
    scored = []
    for pk, township_id, class_id, accused_id, texts in rows:
        content = ochiai(words, shingles(texts or ""))
        score, reasons = 0.55 * content, []
        how = by_person.get(pk, set())
        if "id" in how:
            score, reasons = score + 0.4, [*reasons, "同一证件号"]
        if "phone" in how:
            score, reasons = score + (0.3 if "id" not in how else 0.05), [*reasons, "同一电话"]
        if not how and pk in names:
            score, reasons = score + 0.1, [*reasons, "同名（拼音相同）"]
        if content >= MIN_CONTENT:
            reasons.append(f"内容相似 {round(content * 100)}%")
        place = [label for label, same in (("同乡镇", township and township_id == township),
                                           ("同类别", content_class and class_id == content_class)) if same]  # fmt: skip
        if place:
            score += 0.05 * len(place)
            reasons.append("".join(place) if len(place) == 1 else "同乡镇同类别")
        if accused and accused_id == accused:
            score, reasons = score + 0.05, [*reasons, "同一被反映单位"]
        if not how and content < MIN_CONTENT and len(place) < 2:
            continue  # nothing but a shared word or a shared place: not a candidate
        scored.append((round(min(score, 1.0), 3), pk, round(content, 3), reasons))
    scored.sort(key=lambda row: (-row[0], -row[1]))  # the best first; of equal scores the newest matter
    best = scored[:limit]
    matters = Matter.objects.select_related("township", "content_class", "handling_unit").in_bulk(
        [pk for _, pk, _, _ in best]
    )
    return [Candidate(matters[pk], score, content, reasons) for score, pk, content, reasons in best]


# --- what the clerk may do with a candidate -----------------------------------------------------------

# A matter accepted by the unit that handles it and still within its period (条例第十九条第三款).
IN_PERIOD_STATES = frozenset({workflow.ACCEPTED, workflow.INVESTIGATING, workflow.EXTENDED})


def is_terminated(matter: Matter) -> bool:
    """复核终结: 不再受理 the same facts and reasons (条例第三十六条第三款)."""
    return matter.state in (workflow.TERMINATED, workflow.ARCHIVED) and matter.recheck_decided_on is not None


def is_pending_elsewhere(matter: Matter, *, today=None) -> bool:
    """Accepted by the unit that handles it, and its handling period still runs."""
    today = today or timezone.localdate()
    return matter.state in IN_PERIOD_STATES and matter.handle_due is not None and matter.handle_due >= today


def choices(matter: Matter, *, today=None) -> list[str]:
    """The dispositions (Registration.Disposition values) a repeat of `matter` may take."""
    out = []
    if matter.state in workflow.OPEN_STATES:
        out.append(Registration.Disposition.REPEAT.value)
    if is_pending_elsewhere(matter, today=today):
        out.append(Registration.Disposition.PENDING_ELSEWHERE.value)
    if is_terminated(matter):
        out.append(Registration.Disposition.NO_LONGER.value)
    return out


def draft_of_registration(registration: Registration) -> Draft:
    """The draft of a registration already stored (an online submission the clerk is about to register)."""
    people = [
        Person(p.name, p.id_number, p.mobile, p.landline) for p in Petitioner.objects.filter(
            registrationpetitioner__registration=registration
        )
    ]  # fmt: skip
    m = registration.matter
    return Draft(
        content="\n".join([m.title, registration.content, registration.request, registration.facts]),
        petitioners=people, township=m.township.code if m.township else "",
        content_class=m.content_class.code if m.content_class else "",
        accused_unit=m.accused_unit.code if m.accused_unit else "", exclude=m.pk,
    )  # fmt: skip


# --- the person page ----------------------------------------------------------------------------------


def same_person(petitioner: Petitioner):
    """The petitioner rows of the same person: this row, and those sharing its ID number, mobile or landline
    (by their keyed hashes). A row per registration for people without an ID number, one row per ID number
    otherwise (services._save_petitioners)."""
    q = Q(pk=petitioner.pk)
    for column in ("id_number_hash", "mobile_hash", "landline_hash"):
        if value := getattr(petitioner, column):
            q |= Q(**{column: value})
    return Petitioner.objects.filter(q)


def person_registrations(user, petitioner: Petitioner):
    """Every registration of the person on a matter `user` may see, newest first: what they petitioned, when,
    and (through the matter) its state and outcome. Nothing about where they went (no movement tracking)."""
    return (
        Registration.objects.filter(
            registrationpetitioner__petitioner__in=same_person(petitioner),
            matter__in=access.visible_matters(user),
        )
        .select_related("matter", "matter__handling_unit")
        .distinct()
        .order_by("-received_at", "-pk")
    )
