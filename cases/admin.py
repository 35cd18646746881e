"""Django admin for household files: read-only pages for superusers.

Every write to a file goes through cases.services (the review chain, the bank card, visits,
opinions, standards), which lock, check and audit; the admin only shows the records
(``hardship.admin.ReadOnlyAdmin``). The portal's own pages are where staff work; the household
changelist stays an ordinary, unoptimised ModelAdmin: it is the baseline the list page is
benchmarked against (``bench_households``).
"""

from django.contrib import admin

from hardship.admin import ReadOnlyAdmin, ReadOnlyTabularInline

from .models import (
    Attachment,
    ChangeRequest,
    CheckRequest,
    Consent,
    Finding,
    Flag,
    FlagRuleSet,
    HardshipStandard,
    HomeVisit,
    Household,
    Member,
    MonthlyIncome,
    Opinion,
    Registry,
    ResultUpload,
)
from .register.models import RegisterImport


class MemberInline(ReadOnlyTabularInline):
    model = Member
    fields = ["position", "relation", "name", "sex", "birth_date", "work_status", "removed"]


@admin.register(Household)
class HouseholdAdmin(ReadOnlyAdmin):
    list_display = ["id", "head_name", "union", "tier", "status", "member_count", "per_capita_income", "file_number"]
    list_filter = ["tier", "status"]
    search_fields = ["head_name"]
    inlines = [MemberInline]


@admin.register(HardshipStandard)
class HardshipStandardAdmin(ReadOnlyAdmin):
    """A standard is put in force by standard_create, which re-tiers the files it governs."""

    list_display = ["union", "effective_from", "dibao_monthly", "extreme_line_monthly", "minimum_wage_monthly"]
    list_filter = ["effective_from"]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "household", "kind", "content_type", "size", "uploaded_by", "uploaded_at"]
    list_filter = ["kind"]


@admin.register(HomeVisit)
class HomeVisitAdmin(ReadOnlyAdmin):
    list_display = ["household", "step", "visited_on", "observer", "recorded_by"]
    list_filter = ["step"]


@admin.register(Opinion)
class OpinionAdmin(ReadOnlyAdmin):
    list_display = ["household", "step", "decision", "actor", "created_at"]
    list_filter = ["step", "decision"]


@admin.register(ChangeRequest)
class ChangeRequestAdmin(ReadOnlyAdmin):
    list_display = ["id", "household", "kind", "reason", "status", "requested_by", "decided_by", "created_at"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["household", "member"]


@admin.register(MonthlyIncome)
class MonthlyIncomeAdmin(ReadOnlyAdmin):
    list_display = ["household", "month", "per_capita_income", "recorded_by"]


# The tickets' and the families' notifications' admins live next to their models.
from .notices import admin as _notices_admin  # noqa: E402, F401
from .support import admin as _support_admin  # noqa: E402, F401  (registers the support models)
from .tickets import admin as _tickets_admin  # noqa: E402, F401


@admin.register(RegisterImport)
class RegisterImportAdmin(ReadOnlyAdmin):
    """Uploaded, approved and committed by cases.register.services and its tasks."""

    list_display = ["id", "file_name", "kind", "union", "status", "uploaded_by", "approved_by", "committed_at"]
    list_filter = ["status", "kind"]
    exclude = ["content_hash"]


# 信息比对: the registries (request layout, result columns) and the dated flag rules are configuration the
# system administrator edits; consents, requests, results, findings and flags are written by the services.
@admin.register(Registry)
class RegistryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "is_active"]
    list_filter = ["kind", "is_active"]


@admin.register(FlagRuleSet)
class FlagRuleSetAdmin(admin.ModelAdmin):
    list_display = ["union", "effective_from", "min_properties", "average_area", "flag_vehicle", "flag_business",
                    "flag_pension", "flag_dibao"]  # fmt: skip
    list_filter = ["effective_from"]


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdmin):
    list_display = ["household", "member", "signed_on", "valid_until", "recorded_by"]


@admin.register(CheckRequest)
class CheckRequestAdmin(ReadOnlyAdmin):
    list_display = ["id", "union", "scope", "households", "people", "excluded_count", "created_by", "created_at"]


@admin.register(ResultUpload)
class ResultUploadAdmin(ReadOnlyAdmin):
    list_display = ["id", "request", "registry", "result_date", "rows", "matched", "flags", "uploaded_by"]


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    list_display = ["id", "household", "kind", "found_on", "row_number"]
    list_filter = ["kind"]


@admin.register(Flag)
class FlagAdmin(ReadOnlyAdmin):
    list_display = ["id", "household", "code", "status", "outcome", "decided_by", "decided_at"]
    list_filter = ["code", "status"]
