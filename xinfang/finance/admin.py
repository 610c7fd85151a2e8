from django.contrib import admin

from xinfang.finance.models import BudgetUnit, FinalAccounts, FunctionalClass


@admin.register(FunctionalClass)
class FunctionalClassAdmin(admin.ModelAdmin):
    list_display = ["year", "code", "name"]
    list_filter = ["year"]
    search_fields = ["code", "name"]


admin.site.register(BudgetUnit)
admin.site.register(FinalAccounts)
