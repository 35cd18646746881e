from django.contrib import admin

from hardship.admin import ReadOnlyAdmin

from .models import SignInCode, WorkerAccount


@admin.register(WorkerAccount)
class WorkerAccountAdmin(ReadOnlyAdmin):
    """Accounts are made by the sign-in pages (family.services.accounts); the phone is not listed."""

    list_display = ["id", "name", "masked_phone", "id_number_masked", "household", "is_active", "last_sign_in_at"]
    fields = ["name", "id_number_masked", "household", "is_active", "created_at", "last_sign_in_at"]


@admin.register(SignInCode)
class SignInCodeAdmin(ReadOnlyAdmin):
    list_display = ["id", "created_at", "expires_at", "attempts", "used_at"]
    fields = ["created_at", "expires_at", "attempts", "used_at"]
