#!/usr/bin/env python3
"""Drive one petition through its whole life using only the REST API (standard library only).

    python scripts/api_lifecycle.py --base-url http://127.0.0.1:8000 \
        --token-clerk=KEY --token-unit=KEY --token-officer=KEY --unit-code=513223RSJ

(write `--token-clerk=KEY`: a key may begin with "-", which argparse would otherwise take for an option.)

Tokens (and the other options) can also come from the environment: XINFANG_API_URL,
XINFANG_TOKEN_CLERK (接待登记员), XINFANG_TOKEN_UNIT (责任单位经办人 of the unit the matter is forwarded
to), XINFANG_TOKEN_OFFICER (信访局办案人员), XINFANG_UNIT_CODE. Prints every step; exits 1 on the first
failure.

Steps: register a letter → forward → acknowledge → accept → investigate → reply → deliver → request
review → decide review → request recheck → record recheck (terminated) → register the same facts again
as a repeat (repeat_of) and check it is answered 不再受理, with its notice downloadable.
"""

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8))


class StepFailed(Exception):
    pass


class Api:
    def __init__(self, base_url: str, token: str):
        self.root = base_url.rstrip("/")
        self.token = token

    def call(self, method: str, path: str, body: dict | None = None, *, raw: bool = False):
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
        # `path` is relative to /api/, or (for links the API returns, like download_url) absolute.
        url = self.root + (path if path.startswith("/api/") else "/api" + path)
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("Authorization", f"Bearer {self.token}")
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json; charset=utf-8")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                content = response.read()
                return (
                    (response.status, content) if raw else (response.status, json.loads(content or b"null"))
                )
        except urllib.error.HTTPError as e:
            text = e.read().decode("utf-8", "replace")
            try:
                detail = json.loads(text)
            except ValueError:
                detail = text[:300]
            raise StepFailed(f"{method} {url} → HTTP {e.code}: {detail}") from None
        except urllib.error.URLError as e:
            raise StepFailed(f"{method} {url} → 无法连接：{e.reason}") from None

    def get(self, path: str):
        return self.call("GET", path)[1]

    def post(self, path: str, body: dict):
        return self.call("POST", path, body)[1]


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise StepFailed(message)


def petition(**extra) -> dict:
    received = (datetime.now(BEIJING) - timedelta(hours=1)).replace(microsecond=0)
    body = {
        "channel": "letter",
        "received_at": received.isoformat(),
        "title": "拖欠工资问题（接口联调）",
        "content": "某公司拖欠工资三个月。",
        "purpose": "04",
        "request": "请求支付拖欠的工资。",
        "facts": "2019年6月至8月未发工资。",
        "petitioners": [
            {"name": "张三", "id_number": "11010519491231002X", "mobile": "13912345678", "address": "凤仪镇"}
        ],
    }
    body.update(extra)
    return body


def run(args, out=print) -> None:
    clerk = Api(args.base_url, args.token_clerk)
    unit = Api(args.base_url, args.token_unit)
    officer = Api(args.base_url, args.token_officer)
    step = 0

    def show(label: str, detail: str) -> None:
        nonlocal step
        step += 1
        out(f"[{step:02d}] {label}：{detail}")

    created = clerk.post("/registrations", petition())
    number = created["matter_number"]
    expect(created["state"] == "registered", f"登记后状态应为 registered，实为 {created['state']}")
    show("登记来信", f"{created['registration_number']} → 事项 {number}（{created['state_label']}）")
    matter = clerk.get(f"/matters/{number}")

    def act(api: Api, route: str, label: str, target: str, **fields) -> dict:
        nonlocal matter
        matter = api.post(f"/matters/{number}/{route}", {"version": matter["version"], **fields})
        expect(matter["state"] == target, f"{label}后状态应为 {target}，实为 {matter['state']}")
        show(label, f"{matter['state_label']}（版本 {matter['version']}）")
        return matter

    act(clerk, "forward", "转送", "forwarded", unit=args.unit_code)
    act(unit, "acknowledge", "签收", "received_by_unit")
    act(unit, "accept", "受理", "accepted")
    act(unit, "investigate", "调查核实", "investigating")
    act(
        unit,
        "reply",
        "出具处理意见书",
        "replied",
        outcome="explain",
        opinion="经核实，已向信访人解释相关政策。",
    )
    act(unit, "deliver", "送达", "delivered", method="in_person", delivered_on=matter["dates"]["replied_on"],
        signed=True)  # fmt: skip
    act(clerk, "review-request", "申请复查", "under_review", reason="对处理意见不服")
    act(
        officer,
        "review-decision",
        "复查意见",
        "review_decided",
        outcome="explain",
        opinion="维持原处理意见。",
    )
    act(clerk, "recheck-request", "申请复核", "under_recheck", reason="对复查意见不服")
    act(
        officer,
        "recheck-record",
        "复核意见（终结）",
        "terminated",
        outcome="explain",
        opinion="维持复查意见。",
    )

    repeat = clerk.post("/registrations", petition(repeat_of=number))
    expect(repeat["matter_number"] == number, "重复件应并入原事项")
    expect(repeat["disposition"] == "no_longer", f"重复件应答复不再受理，实为 {repeat['disposition_label']}")
    show("同一事实再次登记", f"{repeat['registration_number']} → {repeat['disposition_label']}")

    matter = clerk.get(f"/matters/{number}")
    notices = [d for d in matter["documents"] if d["kind"] == "no_longer_notice"]
    expect(len(notices) == 1, "应出具一份不再受理告知书")
    status, content = clerk.call("GET", notices[0]["download_url"], raw=True)
    expect(status == 200 and content[:2] == b"PK", "不再受理告知书应可下载为 .docx")
    show("不再受理告知书", f"{notices[0]['number']}（{len(content)} 字节）")
    out(f"完成：事项 {number} 全流程共 {step} 步，均已通过。")


def parse_args(argv):
    env = os.environ.get
    p = argparse.ArgumentParser(description="通过 REST API 驱动一件信访事项走完全流程")
    p.add_argument("--base-url", default=env("XINFANG_API_URL", "http://127.0.0.1:8000"), help="站点地址")
    p.add_argument("--token-clerk", default=env("XINFANG_TOKEN_CLERK"), help="接待登记员令牌")
    p.add_argument("--token-unit", default=env("XINFANG_TOKEN_UNIT"), help="责任单位经办人令牌")
    p.add_argument("--token-officer", default=env("XINFANG_TOKEN_OFFICER"), help="信访局办案人员令牌")
    p.add_argument(
        "--unit-code", default=env("XINFANG_UNIT_CODE"), help="转送的责任单位代码（经办人所在单位）"
    )
    args = p.parse_args(argv)
    missing = [n for n in ("token_clerk", "token_unit", "token_officer", "unit_code") if not getattr(args, n)]
    if missing:
        p.error("缺少参数：" + "、".join("--" + n.replace("_", "-") for n in missing))
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        run(args)
    except StepFailed as e:
        print(f"失败：{e}", file=sys.stderr)
        return 1
    except (KeyError, TypeError, ValueError) as e:
        print(f"失败：响应格式不符：{e!r}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
