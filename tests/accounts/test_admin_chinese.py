"""The admin speaks Chinese: every registered model, its app, its columns and its fields have Chinese names;
roles (Groups named by code) show as 接待登记员 …; units, code tables and the holiday schedule are managed there."""

import re

from django.contrib import admin
from django.contrib.admin.utils import label_for_field

from tests import factories
from xinfang.accounts.models import User

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_admin_name_is_chinese():
    english = []
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        names = [meta.verbose_name, meta.verbose_name_plural, meta.app_config.verbose_name]
        names += [label_for_field(f, model, model_admin) for f in model_admin.list_display if f != "__str__"]
        names += [
            f.verbose_name for f in meta.get_fields() if hasattr(f, "verbose_name") and not f.auto_created
        ]
        english += [f"{meta.label}: {n}" for n in names if not CJK.search(str(n))]
    assert english == []
    registered = {m._meta.label for m in admin.site._registry}
    assert {"petitions.Unit", "petitions.Code", "core.HolidayNotice", "core.CalendarDay"} <= registered


def test_roles_show_in_chinese(client, units):
    clerk = factories.make_user("clerk1", "clerk", unit=units["bureau"], full_name="接待员甲")
    client.force_login(User.objects.create_superuser("root", password=factories.PASSWORD))
    listing = client.get("/admin/accounts/user/").content.decode()
    assert "接待登记员" in listing.split("<tbody>")[1]
    assert "?role=clerk" in listing  # the role filter, by Chinese name
    page = client.get(f"/admin/accounts/user/{clerk.pk}/change/").content.decode()
    assert "接待登记员（clerk）" in page and ">clerk</option>" not in page
    roles = client.get("/admin/auth/group/").content.decode()
    assert "审计管理员" in roles
