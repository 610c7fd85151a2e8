"""后台任务 in the admin: django_tasks_db's list of queued/run tasks (DBTaskResult) in Chinese, for the
系统管理员 only, and a page of the failed attempts with their errors (docs/operations.md)."""

from django.apps import apps
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult, get_date_max

from xinfang.accounts import roles as R
from xinfang.core.tasks import attempt_of, error_line, failed_tasks, task_label

STATUS_LABELS = {"READY": "等待执行", "RUNNING": "执行中", "FAILED": "失败", "SUCCESSFUL": "成功"}

# Chinese names at run time only: Field.verbose_name (the migration state reads Field._verbose_name and
# Meta's original attributes), so the third-party migrations stay as they are.
FIELD_LABELS = {
    "id": "任务编号",
    "status": "状态",
    "enqueued_at": "加入队列时间",
    "started_at": "开始执行时间",
    "finished_at": "结束时间",
    "args_kwargs": "参数",
    "priority": "优先级",
    "task_path": "任务函数",
    "worker_ids": "执行进程",
    "queue_name": "队列",
    "backend_name": "任务后端",
    "run_after": "最早执行时间",
    "return_value": "返回值",
    "exception_class_path": "异常类型",
    "traceback": "错误追踪",
}
apps.get_app_config("django_tasks_database").verbose_name = "后台任务"
DBTaskResult._meta.verbose_name = DBTaskResult._meta.verbose_name_plural = "后台任务记录"
for _name, _label in FIELD_LABELS.items():
    DBTaskResult._meta.get_field(_name).verbose_name = _label


def is_administrator(request) -> bool:
    user = request.user
    return user.is_active and user.is_staff and user.has_role(R.ADMIN)


class StatusFilter(admin.SimpleListFilter):
    title = "状态"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return list(STATUS_LABELS.items())

    def queryset(self, request, queryset):
        return queryset.filter(status=self.value()) if self.value() else queryset


if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(DBTaskResultAdmin):
    """Read-only (as django_tasks_db's): the queue is written by the application and the worker."""

    list_display = ("label", "status_label", "attempt", "enqueued_at", "started_at", "finished_at", "error")
    list_filter = (StatusFilter, "queue_name")
    search_fields = ("task_path",)

    def has_module_permission(self, request):
        return is_administrator(request)

    def has_view_permission(self, request, obj=None):
        return is_administrator(request)

    @admin.display(description="任务")
    def label(self, obj):
        return task_label(obj)

    @admin.display(description="状态", ordering="status")
    def status_label(self, obj):
        return STATUS_LABELS.get(obj.status, obj.status)

    @admin.display(description="第几次尝试")
    def attempt(self, obj):
        number, max_attempts = attempt_of(obj)
        return f"{number}/{max_attempts}"

    @admin.display(description="错误")
    def error(self, obj):
        return error_line(obj.traceback) or "—"

    @admin.display(description="错误追踪")
    def formatted_traceback(self, obj):
        return format_html("<pre>{}</pre>", obj.traceback) if obj.traceback else "—"

    @admin.display(description="最早执行时间")
    def display_run_after(self, obj):
        return "—" if obj.run_after == get_date_max() else obj.run_after

    def get_urls(self):
        view = self.admin_site.admin_view(self.failed_view)
        return [path("failed/", view, name="django_tasks_database_dbtaskresult_failed"), *super().get_urls()]

    def failed_view(self, request):
        if not is_administrator(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "失败的后台任务",
            "failed": failed_tasks(),
        }
        return TemplateResponse(request, "admin/django_tasks_database/dbtaskresult/failed.html", context)
