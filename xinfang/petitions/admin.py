from django.contrib import admin

from xinfang.petitions.models import Code, Unit


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "parent", "short_name", "division_code", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name")


@admin.register(Code)
class CodeAdmin(admin.ModelAdmin):
    list_display = ("table", "version", "code", "name", "parent", "category", "is_active")
    list_filter = ("table", "version", "is_active")
    search_fields = ("code", "name")
