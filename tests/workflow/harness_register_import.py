"""How the consistency test drives the register import: one import per state (guards split 待复核 and
已批准), the personas, the calls.

The imports are 惠山区's (own), under 无锡市 (parent), beside 滨湖区 (sibling). The uploader of every
import is centre staff of 惠山区 too: the duty case (they may not approve their own).
"""

import re
from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.register.engine import kind_of, register_stage
from cases.register.models import ImportStage, RegisterImport
from cases.register.services import (
    register_approve,
    register_commit_again,
    register_discard,
    register_import_drafts,
    register_recheck,
    register_upload,
)
from cases.register.workbook import register_xlsx
from hardship.identity import make_id_number
from hardship.models import Role, User
from tests.factories import user_with_role

R = Role
ROLES = [R.CENTRE_STAFF, R.FUND_APPROVER, R.DISCIPLINE_OBSERVER, R.SYSTEM_ADMIN, R.GRASSROOTS_STAFF]
_SEQUENCE = iter(range(300, 999))


def _head(group: int, file_number: str, **cells) -> dict:
    return {"户编号": group, "与户主关系": "本人（户主）", "姓名": f"户主{group}", "就业就学状况": "在职",
            "身份证号": make_id_number("320206", date(1975, 1, 1), next(_SEQUENCE)), "联系电话": "13905100001",
            "家庭住址": "惠山区 1 号", "主要致困原因": "患重特大疾病", "职工编号": file_number,
            "建档日期": "2020-01-01", **cells}  # fmt: skip


def build(tree) -> tuple[list[tuple[str, RegisterImport]], dict[str, User]]:
    union = tree["huishan"]
    places = {"own": union, "parent": tree["city"], "sibling": tree["binhu"]}
    personas = {f"{role}@{where}": user_with_role(role, place) for role in ROLES for where, place in places.items()}
    uploader = personas["uploader"] = user_with_role(R.CENTRE_STAFF, union)
    approver = user_with_role(R.CENTRE_STAFF, union)
    personas = {name: User.objects.get(pk=user.pk) for name, user in personas.items()}  # fresh role caches
    counter = iter(range(1, 100))

    def new(label, *steps, rows=None, **update):
        number = next(counter)
        rows = rows if rows is not None else [_head(1, f"H-{number}")]
        upload = SimpleUploadedFile(f"register-{number}.xlsx", register_xlsx(kind_of("households"), rows))
        register_import = register_upload(actor=uploader, union=union, kind="households", file=upload)
        for step in steps:
            step(register_import)
        if update:
            RegisterImport.objects.filter(pk=register_import.pk).update(**update)
        return label, RegisterImport.objects.get(pk=register_import.pk)

    def stage(i):
        register_stage(import_id=i.pk)

    def approve(i):
        register_approve(actor=approver, import_id=i.pk)

    imports = [
        new("checking"),
        new("checking, stalled", progress_at=timezone.now() - timedelta(minutes=3)),
        new("checked", stage),
        new("checked, with errors", stage, rows=[_head(1, "H-E", 身份证号="320206197501010000")]),
        new("approved, committing", stage, approve),
        new("approved, commit failed", stage, approve, error="OperationalError: killed"),
        new("committed", stage, approve, status=ImportStage.COMMITTED),
        new("discarded", stage, lambda i: register_discard(actor=approver, import_id=i.pk)),
        new("failed", status=ImportStage.FAILED, error="BadZipFile"),
    ]
    return imports, personas


_ACTION = re.compile(r'data-action="(\w+)"')


def offered(register_import: RegisterImport, user: User) -> set[str]:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("cases:register_detail", args=[register_import.pk]))
    if response.status_code != 200:
        return set()
    return set(_ACTION.findall(response.content.decode()))


CALLS = {
    "approve": lambda i, u: register_approve(actor=u, import_id=i.pk),
    "commit_again": lambda i, u: register_commit_again(actor=u, import_id=i.pk),
    "discard": lambda i, u: register_discard(actor=u, import_id=i.pk),
    "recheck": lambda i, u: register_recheck(actor=u, import_id=i.pk),
    "import_drafts": lambda i, u: register_import_drafts(actor=u, import_id=i.pk),
}
