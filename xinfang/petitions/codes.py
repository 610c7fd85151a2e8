"""Loading the versioned code tables (信访目的, 内容分类) from data files."""

import json
from pathlib import Path

from django.db import transaction

from xinfang.petitions.models import Code

DEFAULT_FILE = Path(__file__).parent / "data" / "codes-2024.json"


@transaction.atomic
def load_codes(path: Path = DEFAULT_FILE) -> int:
    """Load a code-table file; its version becomes the active one for the tables it contains.
    Idempotent: loading the same file twice changes nothing."""
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    version = str(doc["version"])
    rows = doc["codes"]
    tables = {r["table"] for r in rows}
    Code.objects.filter(table__in=tables).exclude(version=version).update(is_active=False)
    by_code: dict[tuple[str, str], Code] = {}
    for r in rows:  # parents come before children in the file
        parent = by_code.get((r["table"], r["parent"])) if r.get("parent") else None
        code, _ = Code.objects.update_or_create(
            table=r["table"], version=version, code=r["code"],
            defaults={"name": r["name"], "parent": parent, "category": r.get("category", ""),
                      "sort": r.get("sort", 0), "is_active": True},
        )  # fmt: skip
        by_code[(r["table"], r["code"])] = code
    return len(rows)
