import base64
import json
from datetime import timedelta

import pytest
from django.utils import timezone

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 40


def item(number: str = "ABZ2026-0001", **overrides) -> dict:
    """One 交办件 as the prefecture sends it (tests/factories.make_units: 阿坝州信访局 513200)."""
    now = timezone.localtime()
    values = {
        "external_number": number, "source_unit": "513200", "received_at": (now - timedelta(hours=2)).isoformat(),
        "deadline": (now.date() + timedelta(days=30)).isoformat(), "title": "征地补偿款未发放",
        "content": "凤仪镇某村征地补偿款至今未发放。", "purpose": "04", "content_class": "03", "township": "513223100",
        "request": "请求发放补偿款。", "petitioners": [
            {"name": "李四", "id_number": "11010519491231002X", "mobile": "13912345678", "address": "茂县凤仪镇"}
        ],
    }  # fmt: skip
    values.update(overrides)
    return values


def package(*items) -> dict:
    return {"format": "xinfang-exchange", "version": "1.0", "sender": "513200", "items": list(items)}


def as_bytes(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode()


def png_attachment(name: str = "来信扫描件.png") -> dict:
    return {"name": name, "base64": base64.b64encode(PNG).decode()}


@pytest.fixture
def package_file(tmp_path):
    def write(data: dict, name: str = "package.json"):
        path = tmp_path / name
        path.write_bytes(as_bytes(data))
        return path

    return write
