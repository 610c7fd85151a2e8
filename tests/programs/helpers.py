"""POST data builders for the programme pages."""

from datetime import datetime

from django.utils import timezone


def intake(do: str, names=("王某某",), *, at: datetime | None = None, **fields) -> dict:
    """The compact intake form (petition fields and petitioner rows with prefix p)."""
    at = timezone.localtime(at or timezone.now())
    data = {
        "do": do,
        "received_at": at.strftime("%Y-%m-%dT%H:%M"),
        "title": "拖欠工资问题",
        "purpose": "04",
        "content_class": "03",
        "township": "513223100",
        "content": "某公司拖欠工资三个月。",
        "request": "",
        "head_count": "",
        "p-TOTAL_FORMS": str(len(names)),
        "p-INITIAL_FORMS": "0",
        "p-MIN_NUM_FORMS": "1",
        "p-MAX_NUM_FORMS": "50",
    }
    for i, name in enumerate(names):
        data |= {f"p-{i}-name": name, f"p-{i}-id_number": "", f"p-{i}-mobile": "", f"p-{i}-landline": "",
                 f"p-{i}-address": ""}  # fmt: skip
    data.update({k: str(v) for k, v in fields.items()})
    return data


def text(response) -> str:
    return response.content.decode()
