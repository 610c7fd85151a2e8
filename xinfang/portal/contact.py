"""What the bureau publishes about its channels (条例第十八条). Demo text; a deployment overrides it with
the PORTAL_CONTACT setting (same keys)."""

from django.conf import settings

DEFAULT_CONTACT = {
    "bureau": "茂县信访局",
    "letter_address": "四川省阿坝藏族羌族自治州茂县凤仪镇南庄路 12 号 茂县信访局（邮编 623200）",
    "phone": "0837-7422345",
    "online": "本网站“网上信访”栏目（/portal/）",
    "reception_name": "茂县群众接待中心",
    "reception_address": "茂县凤仪镇南庄路 12 号（县信访局一楼）",
    "reception_hours": "周一至周五 上午 9:00—12:00，下午 14:30—17:30（法定节假日除外）",
}


def contact() -> dict:
    return {**DEFAULT_CONTACT, **getattr(settings, "PORTAL_CONTACT", {})}
