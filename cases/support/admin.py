"""Admin for the settings of help beyond cash: the loan benchmark rate and the 互助保障 plans.

Records on a file (help, loans, enrolments) are written by the services, so they are read-only here.
"""

from django.contrib import admin

from .models import BenchmarkRate, MutualCoverPlan, NonCashHelp, StartupLoan


@admin.register(BenchmarkRate)
class BenchmarkRateAdmin(admin.ModelAdmin):
    list_display = ["effective_from", "rate_percent"]


@admin.register(MutualCoverPlan)
class MutualCoverPlanAdmin(admin.ModelAdmin):
    list_display = ["name"]


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(NonCashHelp)
class NonCashHelpAdmin(_ReadOnly):
    list_display = ["household", "kind", "given_on", "recorded_by"]
    list_filter = ["kind"]


@admin.register(StartupLoan)
class StartupLoanAdmin(_ReadOnly):
    list_display = ["household", "amount", "start_date", "lender"]
