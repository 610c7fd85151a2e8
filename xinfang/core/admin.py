"""System administration of the holiday schedule (节假日安排): notices, their days, and the import page."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from xinfang.core import tasks_admin  # noqa: F401  (后台任务: the task queue's admin, issue 13)
from xinfang.core.calendars import missing_schedule_warnings
from xinfang.core.holiday_notices import NoticeError
from xinfang.core.models import CalendarDay, HolidayNotice
from xinfang.core.services import import_holiday_file


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    fields = ("date", "kind", "holiday")
    extra = 0


class ImportForm(forms.Form):
    file = forms.FileField(label="通知文件", required=False, help_text="通知正文（UTF-8 纯文本）或 JSON 文件")
    text = forms.CharField(
        label="或粘贴通知正文", required=False, widget=forms.Textarea(attrs={"rows": 16, "cols": 100})
    )
    year = forms.IntegerField(
        label="年度", required=False, min_value=2000, max_value=2100, help_text="可省略：从通知标题识别"
    )

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload:
            try:
                data["content"] = upload.read().decode("utf-8")
            except UnicodeDecodeError as e:
                raise forms.ValidationError("文件不是 UTF-8 编码的文本") from e
        elif data.get("text", "").strip():
            data["content"] = data["text"]
        else:
            raise forms.ValidationError("请上传通知文件或粘贴通知正文")
        return data


@admin.register(HolidayNotice)
class HolidayNoticeAdmin(admin.ModelAdmin):
    list_display = ("year", "source", "complete", "rest_count", "work_count", "imported_at", "imported_by")
    list_filter = ("complete",)
    fields = ("year", "source", "title", "published", "amendments", "complete", "imported_at", "imported_by")
    readonly_fields = ("imported_at", "imported_by")
    inlines = [CalendarDayInline]
    change_list_template = "admin/core/holidaynotice/change_list.html"

    @admin.display(description="放假天数")
    def rest_count(self, obj):
        return obj.days.filter(kind=CalendarDay.Kind.REST).count()

    @admin.display(description="调休上班天数")
    def work_count(self, obj):
        return obj.days.filter(kind=CalendarDay.Kind.WORK).count()

    def get_urls(self):
        view = self.admin_site.admin_view(self.import_view)
        return [path("import/", view, name="core_holidaynotice_import"), *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        for warning in missing_schedule_warnings(today=timezone.localdate()):
            messages.warning(request, warning)
        return super().changelist_view(request, extra_context)

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                notices = import_holiday_file(form.cleaned_data["content"], year=form.cleaned_data["year"],
                                              by=request.user)  # fmt: skip
            except NoticeError as e:
                for error in e.errors:
                    form.add_error(None, error)
            else:
                for n in notices:
                    messages.success(
                        request, f"已导入{n.year}年节假日安排（{n.source}），共{n.days.count()}个日期"
                    )
                return redirect(reverse("admin:core_holidaynotice_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "导入节假日安排通知",
            "form": form,
        }
        return TemplateResponse(request, "admin/core/holidaynotice/import.html", context)


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "holiday", "notice")
    list_filter = ("kind", "notice__year")
    date_hierarchy = "date"
    search_fields = ("holiday",)
