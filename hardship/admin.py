"""The Django admin: the superuser's pages for what is the admin's own job, read-only for the rest.

Two kinds of ModelAdmin, each rule declared once here:

- ``ReadOnlyAdmin`` / ``ReadOnlyTabularInline``: records that only the services write (household files,
  members, opinions, visits, attachments, standards, payments …). The services lock the row, check the
  transition and leave an audit event; a form here would do none of that (a file moved from draft to
  filed, a bank card changed with no trace). So these pages show the record and nothing more: no add,
  change or delete, no bulk delete, and no personal-data field (the portal shows those masked, and
  unmasking is audited there).
- ``AuditedMixin``: what the admin edits by design (the union tree, users and their role assignments,
  social organisations, settings tables). Each save and delete through the admin leaves an audit event
  ``admin.<model>.<create|change|delete>`` with the changed fields, as a service would.

``tests/hardship/test_admin.py`` walks the registry and fails for an editable model not on its list.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import models, transaction

from .masking import SENSITIVE_FIELDS
from .models import AuditEvent, CalendarDay, ExportJob, RoleAssignment, SocialOrganisation, Union, User
from .services import audit_record, calendar_day_delete, calendar_day_save, union_create


class ReadOnlyMixin:
    """Shown, never written here: the record changes only through its service."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_exclude(self, request, obj=None):
        personal = [f.name for f in self.model._meta.get_fields() if f.name in SENSITIVE_FIELDS]
        return [*(super().get_exclude(request, obj) or ()), *personal]

    def get_fields(self, request, obj=None):
        # Every stored field is shown (derived and timestamps too), not only the form's editable ones.
        excluded = set(self.get_exclude(request, obj))
        if self.fields:
            return [name for name in self.fields if name not in excluded]
        meta = self.model._meta
        return [
            f.name for f in (*meta.concrete_fields, *meta.many_to_many) if not f.primary_key and f.name not in excluded
        ]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    pass


class ReadOnlyTabularInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0


def _plain(value):
    """A related row by its pk, several by their sorted pks: the form's initial values are pks too."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (list, tuple, models.QuerySet)):
        return sorted(_plain(item) for item in value)
    return value


def _form_changes(form) -> dict:
    """Field → (old, new) for the model fields the form changed (audit_record masks personal data)."""
    meta = form._meta.model._meta
    fields = {f.name for f in (*meta.concrete_fields, *meta.many_to_many)} - {"password"}
    return {
        name: (_plain(form.initial.get(name)), _plain(form.cleaned_data.get(name)))
        for name in form.changed_data
        if name in fields
    }


class AuditedMixin:
    """Admin writes leave the audit event a service would: who, what, which fields from what to what."""

    def audit(self, request, obj: models.Model, action: str, changes: dict | None = None) -> None:
        audit_record(
            actor=request.user,
            verb=f"admin.{obj._meta.model_name}.{action}",
            target=obj,
            changes=changes,
            request=request,
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self.audit(request, obj, "change" if change else "create", _form_changes(form))

    def delete_model(self, request, obj):
        with transaction.atomic():
            self.audit(request, obj, "delete")  # before: the row (and its pk) is gone afterwards
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                self.audit(request, obj, "delete")
            super().delete_queryset(request, queryset)

    def save_formset(self, request, form, formset, change):
        # The admin's change view is one transaction: these events roll back with a failed save.
        for inline_form in formset.deleted_forms:
            if inline_form.instance.pk is not None:
                self.audit(request, inline_form.instance, "delete")
        edited = [
            (f, "change" if f.instance.pk else "create")
            for f in formset.forms
            if f not in formset.deleted_forms and f.has_changed()
        ]
        super().save_formset(request, form, formset, change)
        for inline_form, action in edited:
            self.audit(request, inline_form.instance, action, _form_changes(inline_form))


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["union"]


@admin.register(User)
class UserAdmin(AuditedMixin, DjangoUserAdmin):
    list_display = ["username", "full_name", "phone", "is_active", "last_login"]
    search_fields = ["username", "full_name", "phone"]
    fieldsets = DjangoUserAdmin.fieldsets + (("联系方式", {"fields": ["full_name", "phone"]}),)
    inlines = [RoleAssignmentInline]


@admin.register(Union)
class UnionAdmin(AuditedMixin, admin.ModelAdmin):
    list_display = ["name", "code", "level", "parent", "is_active"]
    list_filter = ["level", "is_active"]
    search_fields = ["name", "code"]
    readonly_fields = ["path", "depth"]
    autocomplete_fields = ["parent"]

    def save_model(self, request, obj, form, change):
        # The materialised path is derived from the parent: the service sets it (and audits the creation).
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
class SocialOrganisationAdmin(AuditedMixin, admin.ModelAdmin):
    list_display = ["name", "contracted_by", "contact_name", "is_active"]
    search_fields = ["name"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """The log itself: appended by audit_record only, for superusers too."""

    list_display = ["created_at", "actor", "verb", "target_repr", "union"]
    list_filter = ["verb"]
    search_fields = ["verb", "target_repr", "actor__username"]
    date_hierarchy = "created_at"


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


@admin.register(ExportJob)
class ExportJobAdmin(ReadOnlyAdmin):
    """Export files: written by a worker, deleted after 24 hours by the beat (hardship.services)."""

    list_display = ["created_at", "owner", "kind", "title", "status", "rows_total", "expires_at"]
    list_filter = ["kind", "status"]
