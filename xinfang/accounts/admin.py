from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.db import transaction

from xinfang.accounts import roles as R
from xinfang.accounts import services, totp
from xinfang.accounts.audit import log_audit
from xinfang.accounts.forms import AdminLoginForm
from xinfang.accounts.models import RoleGrantRequest, TotpDevice, User
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


USER_CREATE = "user:create"
USER_DEACTIVATE = "user:deactivate"
USER_ACTIVATE = "user:activate"
USER_SET_PASSWORD = "user:set_password"


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

    def save_model(self, request, obj, form, change):
        """Creating an account, and switching it off or on, are audit rows (等保 8.1.5.1: 系统管理员的操作被审计)."""
        super().save_model(request, obj, form, change)
        if not change:
            log_audit(action=USER_CREATE, request=request, obj=obj, target=obj.username)
        elif "is_active" in form.changed_data:
            action = USER_ACTIVATE if obj.is_active else USER_DEACTIVATE
            log_audit(action=action, request=request, obj=obj, target=obj.username)

    def user_change_password(self, request, id, form_url=""):
        """Setting another user's password (Django's page): an audit row when it was set."""
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = User.objects.get(pk=id)
            log_audit(action=USER_SET_PASSWORD, request=request, obj=user, target=user.username)
        return response

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


class GrantRequestForm(forms.ModelForm):
    role = forms.ChoiceField(
        label="申请授予的角色", choices=[(c, ROLE_LABELS[c]) for c in services.GUARDED_ROLES]
    )

    class Meta:
        model = RoleGrantRequest
        fields = ("user", "role", "reason")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("user") and cleaned.get("role"):
            refusal = services.grant_request_refusal(cleaned["user"], role=cleaned["role"], by=self.requester)
            if refusal:
                raise forms.ValidationError(refusal)
        return cleaned


@admin.register(RoleGrantRequest)
class RoleGrantRequestAdmin(admin.ModelAdmin):
    """三权分立: a 系统管理员 asks here for a guarded role (审计管理员, 安全管理员, a role that sees personal data in
    full) for someone else; a different person holding 安全管理员 approves or refuses it with the list's actions.
    A request is never edited or deleted: it is the record of who asked and who decided."""

    form = GrantRequestForm
    list_display = (
        "user",
        "role_label",
        "reason",
        "requested_by",
        "requested_at",
        "state",
        "decided_by",
        "decided_at",
    )
    list_filter = ("state",)
    actions = ("approve", "refuse")

    @admin.display(description="申请授予的角色", ordering="role")
    def role_label(self, obj):
        return ROLE_LABELS.get(obj.role, obj.role)

    def get_fields(self, request, obj=None):
        return ("user", "role", "reason") if obj is None else self.list_display

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.list_display

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type("RequesterForm", (form,), {"requester": request.user})

    def save_model(self, request, obj, form, change):
        created = services.request_grant(
            obj.user, role=obj.role, reason=obj.reason, by=request.user, request=request
        )
        obj.pk = created.pk

    def has_add_permission(self, request):
        return (request.user.has_role(R.ADMIN) or request.user.is_superuser) and super().has_add_permission(
            request
        )

    def has_change_permission(self, request, obj=None):
        return False  # decided only by the actions below

    def has_delete_permission(self, request, obj=None):
        return False

    def has_decide_permission(self, request):
        return request.user.has_role(R.SECURITY_ADMIN)

    @admin.action(description="批准所选申请（授予角色）", permissions=["decide"])
    def approve(self, request, queryset):
        self._decide(request, queryset, approve=True)

    @admin.action(description="驳回所选申请", permissions=["decide"])
    def refuse(self, request, queryset):
        self._decide(request, queryset, approve=False)

    def _decide(self, request, queryset, *, approve: bool):
        for grant in queryset.select_related("user"):
            try:
                services.decide_grant(grant, approve=approve, by=request.user, request=request)
            except services.RoleChangeRefused as refusal:
                self.message_user(request, f"{grant}：{refusal}", messages.ERROR)
            else:
                self.message_user(
                    request, f"{grant}：{'已批准' if approve else '已驳回'}。", messages.SUCCESS
                )


@admin.register(TotpDevice)
class TotpDeviceAdmin(admin.ModelAdmin):
    """动态验证码 of the staff, for the 安全管理员 only: who has one and since when. A lost device is removed here
    (audited); its owner enrols a new one — an administrator is held on the enrolment page at the next login.
    Nobody removes their own, and the secret is never shown."""

    list_display = ("user", "confirmed_at")
    fields = list_display
    readonly_fields = list_display
    search_fields = ("user__username", "user__full_name")

    @staticmethod
    def _security(request) -> bool:
        return request.user.is_active and request.user.has_role(R.SECURITY_ADMIN)

    def has_module_permission(self, request):
        return self._security(request)

    def has_view_permission(self, request, obj=None):
        return self._security(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return self._security(request) and (obj is None or obj.user_id != request.user.pk)

    def delete_model(self, request, obj):
        self.delete_queryset(request, TotpDevice.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        own = queryset.filter(user=request.user)
        if own.exists():
            self.message_user(request, "不能停用自己的动态验证码：须由另一名安全管理员办理。", messages.ERROR)
        with transaction.atomic():
            for device in queryset.exclude(user=request.user).select_related("user"):
                log_audit(action=totp.RESET, request=request, obj=device.user, target=device.user.username)
                device.delete()
