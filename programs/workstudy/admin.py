"""The Django admin shows work-study records read-only: every change goes through the audited services."""

from django.contrib import admin

from hardship.admin import ReadOnlyAdmin

from .models import Application, Enterprise, MatchRun, Placement, Position, Season


@admin.register(Enterprise)
class EnterpriseAdmin(ReadOnlyAdmin):
    list_display = ("name", "union", "contact_name", "agreement_signed_on", "insurance_valid_until", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "credit_code")


@admin.register(Season)
class SeasonAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "union", "starts_on", "ends_on", "min_age", "status")
    list_filter = ("status", "term")


@admin.register(Position)
class PositionAdmin(ReadOnlyAdmin):
    list_display = ("title", "enterprise", "season", "places", "filled", "pay", "safety_class", "status")
    list_filter = ("season", "safety_class", "status")
    search_fields = ("title", "enterprise__name")
    list_select_related = ("enterprise", "season")


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ("name", "season", "kind", "school_level", "result")
    list_filter = ("season", "kind", "result")
    search_fields = ("name",)


@admin.register(Placement)
class PlacementAdmin(ReadOnlyAdmin):
    list_display = ("application", "position", "status", "days_attended", "earnings", "early_hire")
    list_filter = ("season", "status", "early_hire")
    list_select_related = ("application", "position__enterprise")


@admin.register(MatchRun)
class MatchRunAdmin(ReadOnlyAdmin):
    list_display = ("season", "run_at", "students", "positions", "placed", "seconds", "verified")
