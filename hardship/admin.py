from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import AuditEvent, CalendarDay, RoleAssignment, SocialOrganisation, Union, User
from .services import calendar_day_delete, calendar_day_save, union_create


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["union"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "full_name", "phone", "is_active", "last_login"]
    search_fields = ["username", "full_name", "phone"]
    fieldsets = DjangoUserAdmin.fieldsets + (("联系方式", {"fields": ["full_name", "phone"]}),)
    inlines = [RoleAssignmentInline]


@admin.register(Union)
class UnionAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "level", "parent", "is_active"]
    list_filter = ["level", "is_active"]
    search_fields = ["name", "code"]
    readonly_fields = ["path", "depth"]
    autocomplete_fields = ["parent"]

    def save_model(self, request, obj, form, change):
        # The materialised path is derived from the parent: the service sets it.
        if change:
            super().save_model(request, obj, form, change)
            return
        fields = {f: form.cleaned_data[f] for f in ("address", "phone", "is_active") if f in form.cleaned_data}
        created = union_create(
            actor=request.user, name=obj.name, code=obj.code, level=obj.level, parent=obj.parent, **fields
        )
        obj.pk, obj.path, obj.depth = created.pk, created.path, created.depth

    def get_readonly_fields(self, request, obj=None):
        # Moving a union would move its whole subtree's access: not done here.
        return ["path", "depth", "parent"] if obj else ["path", "depth"]

    def has_delete_permission(self, request, obj=None):
        return False  # a union with history is deactivated, never deleted


@admin.register(SocialOrganisation)
class SocialOrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "contracted_by", "contact_name", "is_active"]
    search_fields = ["name"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: no add, change or delete path, for superusers too."""

    list_display = ["created_at", "actor", "verb", "target_repr", "union"]
    list_filter = ["verb"]
    search_fields = ["verb", "target_repr", "actor__username"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """The holiday calendar, entered from the State Council's yearly notice; every change is audited."""

    list_display = ["day", "kind", "name"]
    list_filter = ["kind", "name"]
    date_hierarchy = "day"
    search_fields = ["name"]

    def save_model(self, request, obj, form, change):
        saved = calendar_day_save(
            actor=request.user, day_id=obj.pk if change else None, day=obj.day, kind=obj.kind, name=obj.name,
            request=request,
        )  # fmt: skip
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        calendar_day_delete(actor=request.user, day_id=obj.pk, request=request)

    def delete_queryset(self, request, queryset):
        for pk in queryset.values_list("pk", flat=True):
            calendar_day_delete(actor=request.user, day_id=pk, request=request)
