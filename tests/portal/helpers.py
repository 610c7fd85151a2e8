import io

from PIL import Image

from tests import factories
from xinfang.petitions import citizens, services
from xinfang.portal import tokens


def png_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(buf, format="PNG")
    return buf.getvalue()


def form_data(**overrides) -> dict:
    data = {
        "purpose": "04", "content_class": "03", "township": "513223100", "title": "拖欠工资问题",
        "facts": "2019年6月至8月某公司未发工资。", "request": "请求支付拖欠的工资。", "name": "张三",
        "id_number": "11010519491231002X", "mobile": "13912345678", "address": "茂县凤仪镇", "website": "",
        tokens.FIELD: tokens.issue(),  # a fresh one-time token, as the rendered form carries
    }  # fmt: skip
    data.update(overrides)
    return data


def submitted(**overrides):
    """An online submission made through the service: (registration, 查询码)."""
    return citizens.submit_online(
        factories.petition_input(**overrides), uploads=[citizens.Upload("证据.png", png_bytes())]
    )


def advance(matter, people, units, *actions):
    if matter.state == "received":
        matter = services.register_received(matter, by=people["clerk"])
    for action in actions:
        matter = factories.do(action, matter, people=people, units=units)
    return matter


TO_DELIVERED = ("forward", "acknowledge", "accept", "investigate", "reply", "deliver")


def track(client, number, code):
    return client.post("/portal/track/", {"number": number, "code": code})
