"""Admin for the settings of help beyond cash: the loan benchmark rate and the 互助保障 plans.

Those two are the admin's to keep (audited). Records on a file (help, loans) are written by the
services, so they are read-only here.
"""

from django.contrib import admin

from hardship.admin import AuditedMixin, ReadOnlyAdmin

from .models import BenchmarkRate, MutualCoverPlan, NonCashHelp, StartupLoan


@admin.register(BenchmarkRate)
class BenchmarkRateAdmin(AuditedMixin, admin.ModelAdmin):
    list_display = ["effective_from", "rate_percent"]


@admin.register(MutualCoverPlan)
class MutualCoverPlanAdmin(AuditedMixin, admin.ModelAdmin):
    list_display = ["name"]


@admin.register(NonCashHelp)
class NonCashHelpAdmin(ReadOnlyAdmin):
    list_display = ["household", "kind", "given_on", "recorded_by"]
    list_filter = ["kind"]


@admin.register(StartupLoan)
class StartupLoanAdmin(ReadOnlyAdmin):
    list_display = ["household", "amount", "start_date", "lender"]
