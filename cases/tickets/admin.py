"""Tickets in the admin: read-only (the centre handles them on the portal's pages, through the services)."""

from django.contrib import admin

from hardship.admin import ReadOnlyAdmin, ReadOnlyTabularInline

from .models import Ticket, TicketReply


class TicketReplyInline(ReadOnlyTabularInline):
    model = TicketReply
    fields = ["created_at", "author", "public", "text"]


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = ["code", "kind", "subject", "union", "household", "status", "due_on", "assigned_to"]
    list_filter = ["kind", "status"]
    search_fields = ["code"]
    inlines = [TicketReplyInline]
