from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group

from xinfang.accounts import services
from xinfang.accounts.forms import AdminLoginForm
from xinfang.accounts.models import User
from xinfang.accounts.roles import ROLE_LABELS

admin.site.login_form = AdminLoginForm
admin.site.site_header = "信访业务与绩效管理系统 · 系统管理"
admin.site.site_title = "系统管理"


def role_label(group: Group) -> str:
    """A role (a Group named by its code) as people call it: “接待登记员（clerk）”."""
    label = ROLE_LABELS.get(group.name)
    return f"{label}（{group.name}）" if label else group.name


class RoleFilter(admin.SimpleListFilter):
    title = "角色"
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return [(code, label) for code, label in ROLE_LABELS.items()]

    def queryset(self, request, queryset):
        return queryset.filter(groups__name=self.value()) if self.value() else queryset


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Administrators manage accounts and roles here. The audit log is deliberately not registered:
    administrators cannot read it (三权分立); auditors read it in the casework UI.

    Roles change only through `services.change_roles`: the form refuses what separation of duties forbids
    (one's own roles; an administrator granting 审计管理员 or a role that sees personal data in full) and
    every change is audited. Superuser status and per-user permissions are not on the form at all."""

    list_display = ("username", "full_name", "unit", "roles", "is_active", "last_login")
    list_filter = ("is_active", RoleFilter, "unit")
    search_fields = ("username", "full_name")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("个人信息", {"fields": ("full_name", "unit", "email")}),
        ("角色与状态", {"fields": ("is_active", "groups")}),
        ("时间", {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ("last_login", "date_joined")

    @admin.display(description="角色")
    def roles(self, obj):
        return "、".join(str(ROLE_LABELS.get(code, code)) for code in sorted(obj.role_codes)) or "—"

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "groups" and field is not None:
            field.label = "角色"
            field.label_from_instance = role_label
        return field

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if "groups" not in form.base_fields:
            return form

        class RoleCheckedForm(form):
            def clean(self):
                cleaned = super().clean()
                if "groups" in cleaned and self.instance.pk:
                    roles = [group.name for group in cleaned["groups"]]
                    refusal = services.role_change_refusal(self.instance, roles=roles, by=request.user)
                    if refusal:
                        services.log_role_change_refusal(
                            self.instance,
                            by=request.user,
                            request=request,
                            reason=refusal,
                            target=self.instance.username,
                            old_roles=sorted(self.instance.role_codes),
                            new_roles=sorted(roles),
                        )
                        self.add_error("groups", refusal)
                return cleaned

        return RoleCheckedForm

    def save_related(self, request, form, formsets, change):
        groups = form.cleaned_data.pop("groups", None)  # not saved by the form: by the service below
        super().save_related(request, form, formsets, change)
        if groups is not None:
            services.change_roles(
                form.instance, roles=[g.name for g in groups], by=request.user, request=request
            )


admin.site.unregister(Group)


@admin.register(Group)
class RoleAdmin(BaseGroupAdmin):
    """Roles are defined in code (services.ensure_roles): the admin shows them and changes nothing, so no one
    widens a role's permissions (e.g. gives the administrators' role the full personal-data view) here.
    Membership is changed on the user's page, through services.change_roles."""

    list_display = ("role", "name")

    @admin.display(description="角色", ordering="name")
    def role(self, obj):
        return ROLE_LABELS.get(obj.name, obj.name)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
