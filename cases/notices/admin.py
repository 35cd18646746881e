"""Admin of the families' notifications: the templates (edited by the system admin, audited), the log read-only."""

from django.contrib import admin

from hardship.admin import ReadOnlyAdmin

from .models import FamilyNotification, MessageTemplate, SmsDelivery
from .services import message_template_update


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    """The Chinese text of each event; {head}, {amount} … are filled in from the event."""

    list_display = ["event", "text", "updated_at"]
    readonly_fields = ["event", "updated_at"]
    fields = ["event", "text", "updated_at"]

    def has_add_permission(self, request):
        return False  # one per event, seeded by the migration

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        message_template_update(actor=request.user, event=obj.event, text=obj.text, request=request)


@admin.register(FamilyNotification)
class FamilyNotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "household", "event", "text", "read_at"]
    list_filter = ["event"]


@admin.register(SmsDelivery)
class SmsDeliveryAdmin(ReadOnlyAdmin):
    """The delivery log: each SMS, its attempts and the provider's last error."""

    list_display = ["updated_at", "phone", "status", "attempts", "last_error"]
    list_filter = ["status"]
