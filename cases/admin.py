"""Django admin for household files: a plain configuration for superusers.

The portal's own pages (scoped by union, masked, audited) are where staff work;
the admin is the superuser's back door and the baseline the list page is
benchmarked against (``bench_households``), so it is kept an ordinary,
unoptimised ModelAdmin setup.
"""

from django.contrib import admin

from .models import Attachment, ChangeRequest, HardshipStandard, HomeVisit, Household, Member, MonthlyIncome, Opinion
from .services import household_admin_correct

# Written only by cases.services (household_recompute and the review chain).
DERIVED_FIELDS = (
    "member_count",
    "imputed_members",
    "annual_income",
    "per_capita_income",
    "tier",
    "standard",
    "version",
    "created_by",
    "updated_by",
    "created_at",
    "updated_at",
)


class ReadOnlyMixin:
    """No add, change or delete: the record is shown, never edited here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MemberInline(ReadOnlyMixin, admin.TabularInline):
    model = Member
    extra = 0
    fields = ["position", "relation", "name", "id_number", "sex", "birth_date", "health", "work_status", "removed"]
    readonly_fields = fields


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ["id", "head_name", "union", "tier", "status", "member_count", "per_capita_income", "file_number"]
    list_filter = ["tier", "status"]
    search_fields = ["head_name"]
    readonly_fields = DERIVED_FIELDS
    autocomplete_fields = ["union"]
    raw_id_fields = ["submitted_by", "first_reviewer", "second_reviewer", "second_review_org"]
    inlines = [MemberInline]

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        # A correction goes through the service: tier recomputed, history written.
        data = {name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data}
        household_admin_correct(actor=request.user, household_id=obj.pk, data=data, request=request)


@admin.register(HardshipStandard)
class HardshipStandardAdmin(admin.ModelAdmin):
    list_display = ["union", "effective_from", "dibao_monthly", "extreme_line_monthly", "minimum_wage_monthly"]
    list_filter = ["effective_from"]
    readonly_fields = ["created_by", "created_at"]
    autocomplete_fields = ["union"]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["original_name", "household", "kind", "content_type", "size", "uploaded_by", "uploaded_at"]
    list_filter = ["kind"]
    raw_id_fields = ["household"]


@admin.register(HomeVisit)
class HomeVisitAdmin(admin.ModelAdmin):
    list_display = ["household", "step", "visited_on", "observer", "recorded_by"]
    list_filter = ["step"]
    raw_id_fields = ["household"]
    readonly_fields = ["recorded_at"]


@admin.register(Opinion)
class OpinionAdmin(admin.ModelAdmin):
    list_display = ["household", "step", "decision", "actor", "created_at"]
    list_filter = ["step", "decision"]
    raw_id_fields = ["household"]


@admin.register(ChangeRequest)
class ChangeRequestAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["id", "household", "kind", "reason", "status", "requested_by", "decided_by", "created_at"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["household", "member"]


@admin.register(MonthlyIncome)
class MonthlyIncomeAdmin(admin.ModelAdmin):
    list_display = ["household", "month", "per_capita_income", "recorded_by"]
    raw_id_fields = ["household"]
    readonly_fields = ["recorded_at"]


from .support import admin as _support_admin  # noqa: E402, F401  (registers the support models)
