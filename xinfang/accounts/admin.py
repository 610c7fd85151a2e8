from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from xinfang.accounts.forms import AdminLoginForm
from xinfang.accounts.models import User

admin.site.login_form = AdminLoginForm
admin.site.site_header = "信访业务与绩效管理系统 · 系统管理"
admin.site.site_title = "系统管理"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Administrators manage accounts and roles here. The audit log is deliberately not registered:
    administrators cannot read it (三权分立); auditors read it in the casework UI."""

    list_display = ("username", "full_name", "unit", "is_active", "last_login")
    list_filter = ("is_active", "groups", "unit")
    search_fields = ("username", "full_name")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("个人信息", {"fields": ("full_name", "unit", "email")}),
        ("角色与状态", {"fields": ("is_active", "groups")}),
        ("时间", {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ("last_login", "date_joined")
