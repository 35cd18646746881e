"""新建档案 on the staged engine: the portal's own template (cases.excel.columns), one row per member,
checked by a worker like a register (the same cell rules and set-wise checks), then committed by its
uploader as draft files — each through ``household_create`` (permission, tier, history), all or nothing.

A draft file goes through 初审 … 公示 on its own, so no second person approves the stage itself.
"""

from decimal import Decimal

from django.utils.translation import gettext_lazy

from hardship.services import audit_record

from ..excel.columns import COLUMNS, MONEY
from ..services import FILE_EDITORS, MemberInput, household_create
from .engine import Kind, duplicate_people, mark_groups_in_error, register_kind, staged_groups
from .households import _ID, _decoded, _one_head_per_group, _people_on_live_files, row_reader
from .models import RegisterImport

MEMBER_FIELDS = tuple(c.field for c in COLUMNS if c.level == "member")
HOUSEHOLD_FIELDS = tuple(c.field for c in COLUMNS if c.level == "household")
AMOUNTS = {c.field for c in COLUMNS if c.kind == MONEY}  # staged as text (JSON), given back as Decimal


def _values(staged: dict, fields: tuple[str, ...]) -> dict:
    return {f: Decimal(str(staged[f])) if f in AMOUNTS else staged[f] for f in fields if f in staged}


def checks(register_import: RegisterImport) -> None:
    duplicate_people(register_import, column=_ID.header)
    _one_head_per_group(register_import)
    _people_on_live_files(register_import)
    mark_groups_in_error(register_import)


def commit(register_import: RegisterImport) -> dict:
    """Open a draft file at the import's union for every household of the stage, as its uploader would one
    by one (a few thousand at most: the template's file is at most 5 MB); one summary event for the file."""
    actor, union = register_import.uploaded_by, register_import.union
    households = members = 0
    unchecked_cards = []  # files whose card fails the check digit: imported, but the page says which
    for group in staged_groups(register_import):
        rows = [row.data for row in _decoded(group)]
        head = rows[0]["h"]
        household = household_create(
            actor=actor, union=union,
            data=_values(head, HOUSEHOLD_FIELDS),
            members=[MemberInput(**_values(row["m"], MEMBER_FIELDS)) for row in rows],
        )  # fmt: skip
        households, members = households + 1, members + len(rows)
        if household.bank_card and not household.bank_card_luhn_ok:
            unchecked_cards.append({"pk": household.pk, "name": household.head_name})
    audit_record(actor=actor, verb="household.import", union=union,
                 changes={"households": (None, households), "members": (None, members),
                          "file": (None, register_import.file_name)})  # fmt: skip
    return {"created": households, "members": members, "skipped": 0, "unchecked_cards": unchecked_cards}


drafts_kind = register_kind(
    Kind(
        name="drafts",
        label=gettext_lazy("新建档案（草稿）"),
        roles=FILE_EDITORS,
        columns=COLUMNS,
        read_row=row_reader(COLUMNS),
        checks=checks,
        commit=commit,
        four_eyes=False,
        listed=False,
    )
)
