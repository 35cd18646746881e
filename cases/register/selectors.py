"""Reads of register imports, scoped to the user's unions."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from hardship.access import scope_queryset
from hardship.models import Role

from ..services import FILE_EDITORS
from .engine import KINDS, errors_page
from .models import RegisterImport
from .workflow import register_workflow

REGISTER_USERS = (Role.CENTRE_STAFF,)


def register_import_list(*, user) -> QuerySet[RegisterImport]:
    listed = [k.name for k in KINDS.values() if k.listed]  # 新建档案's imports have pages of their own
    return scope_queryset(RegisterImport.objects.filter(kind__in=listed).select_related("union", "uploaded_by",
                          "approved_by"), user, roles=REGISTER_USERS).order_by("-id")  # fmt: skip


def register_import_for_user(*, user, pk: int):
    """(the import, the actions this user has on it), or 404 outside the user's scope."""
    register_import = get_object_or_404(register_import_list(user=user), pk=pk)
    actions = {a.name: a for a in register_workflow.available_actions(register_import, user)}
    return register_import, actions


def register_errors(*, register_import: RegisterImport):
    return errors_page(register_import)


def register_kinds() -> list:
    return [k for k in KINDS.values() if k.listed]


def drafts_import_for_user(*, user, pk: int):
    """A 新建档案 import (the engine's drafts kind) and the user's actions on it; 404 outside their scope."""
    imports = scope_queryset(RegisterImport.objects.filter(kind="drafts").select_related("union", "uploaded_by"),
                             user, roles=FILE_EDITORS)  # fmt: skip
    register_import = get_object_or_404(imports, pk=pk)
    actions = {a.name: a for a in register_workflow.available_actions(register_import, user)}
    return register_import, actions
