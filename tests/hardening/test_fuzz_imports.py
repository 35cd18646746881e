"""Fuzzed files for the two imports (issue #8): the household workbook and the bank's result file.

Random cells of every type in the template, broken .xlsx bytes, a CSV renamed .xlsx, old .xls,
HTML, other encodings, oversized cells. Properties: never an exception or a 500; a refused file
says why (in Chinese); nothing is saved unless the whole file is accepted.
"""

import csv
import io
import zipfile
from datetime import date, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from hypothesis import example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from cases.excel import households_import
from cases.excel.columns import COLUMNS
from cases.excel.template import EXAMPLE_ROWS, SHEET_MEMBERS
from cases.models import HardshipStandard, Household, Member, Status
from cases.services import household_create
from hardship.models import AuditEvent, Role
from programs.assistance import services as money
from programs.assistance.balances import approval_figures
from programs.assistance.batch import batch_compute
from programs.assistance.demo import seed_programs
from programs.assistance.models import Batch, Entitlement, LedgerEntry, Payment
from tests.cases.conftest import WUXI, head_earning, household_data
from tests.factories import user_with_role
from tests.hardening.test_fuzz_forms import CJK, FORM_SETTINGS, HOSTILE_TEXT, NUL_TEXT, any_text

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

VIEW_SETTINGS = settings(FORM_SETTINGS, max_examples=40)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def saved_counts() -> dict[str, int]:
    models = (Household, Member, AuditEvent, Payment, LedgerEntry, Entitlement)
    return {m.__name__: m.objects.count() for m in models} | {
        "paid": Payment.objects.filter(status__in=[Payment.Status.PAID, Payment.Status.FAILED]).count()
    }


def rolled_back(action):
    """Run ``action`` and undo what it saved: each example starts from the same data."""
    with transaction.atomic():
        result = action()
        after = saved_counts()
        transaction.set_rollback(True)
    return result, after


# Cells and files -----------------------------------------------------------------------------------------

# What a cell of a real workbook can hold: text, numbers, dates, booleans, formulas, nothing.
cell_values = st.one_of(
    st.none(),
    any_text.map(lambda t: t[:5000]),  # openpyxl refuses control characters; those make a damaged-file case
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(min_value=date(1900, 1, 1)),
    st.datetimes(min_value=datetime(1900, 1, 1)),
    st.sampled_from(
        [
            "=1/0",
            "=SUM(A1:A9)",
            '=HYPERLINK("http://x")',
            "=cmd|' /C calc'!A0",
            "#N/A",
            "1e309",
            "NaN",
            "-1",
            "99999999999",
            "本人（户主）",
            "户主",
            "是",
            "否",
            "√",
            "2800元",
        ]
    ),  # fmt: skip
)


def workbook_bytes(header: list, rows: list[list], sheet_title: str = SHEET_MEMBERS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title
    for row in [header, *rows]:
        sheet.append([_storable(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _storable(value):
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


TEMPLATE_HEADER = [c.header for c in COLUMNS]
EXAMPLE = [[row.get(h) for h in TEMPLATE_HEADER] for row in EXAMPLE_ROWS]


@st.composite
def household_workbooks(draw) -> bytes:
    """The template's example household with random cells changed, columns dropped, rows added."""
    header = list(TEMPLATE_HEADER)
    rows = [list(r) for r in EXAMPLE]
    for _ in range(draw(st.integers(0, 6))):
        row = draw(st.integers(0, len(rows) - 1))
        rows[row][draw(st.integers(0, len(header) - 1))] = draw(cell_values)
    if draw(st.booleans()):
        rows += draw(st.lists(st.lists(cell_values, max_size=len(header) + 3), max_size=4))
    if draw(st.integers(0, 9)) == 0:
        header[draw(st.integers(0, len(header) - 1))] = draw(st.sampled_from(["", None, "姓名", "😀", "=A1"]))
    return workbook_bytes(header, rows, draw(st.sampled_from([SHEET_MEMBERS, SHEET_MEMBERS, "Sheet1", "😀"])))


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


VALID_WORKBOOK = workbook_bytes(TEMPLATE_HEADER, EXAMPLE)
CSV_BYTES = "户编号,与户主关系,姓名\n1,本人（户主）,张建国\n".encode()
broken_files = st.one_of(
    st.sampled_from(
        [
            b"",
            b"\x00" * 64,
            CSV_BYTES,
            "中文,测试\n".encode("gbk"),
            b"<html><script>alert(1)</script></html>",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512,  # an old .xls
            b"PK\x03\x04" + b"\x00" * 100,
            VALID_WORKBOOK[: len(VALID_WORKBOOK) // 2],
            _zip({"hello.txt": b"not a workbook"}),
            _zip({"xl/workbook.xml": b"<workbook"}),  # the name is right, the XML is not
            _zip({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<?xml version='1.0'?><workbook/>"}),
        ]
    ),  # fmt: skip
    st.binary(max_size=3000),
    st.builds(
        lambda cut, noise: VALID_WORKBOOK[:cut] + noise, st.integers(0, len(VALID_WORKBOOK)), st.binary(max_size=50)
    ),
)
names = st.sampled_from(["家庭档案.xlsx", "a.XLSX", "a.csv", "a.xls", "a.xlsx.exe", "noext", "😀.xlsx",
                         "\u202exslx.exe", "<script>.xlsx", "a" * 250 + ".xlsx"])  # fmt: skip


# The household import ------------------------------------------------------------------------------------


@pytest.fixture
def importer(tree):
    HardshipStandard.objects.create(union=tree["city"], **WUXI)
    return user_with_role(Role.GRASSROOTS_STAFF, tree["company"], full_name="王丽华")


def test_the_valid_template_imports_one_household(importer, tree):
    upload = SimpleUploadedFile("家庭档案.xlsx", VALID_WORKBOOK, content_type=XLSX)

    result = households_import(actor=importer, union=tree["company"], file=upload)

    assert result.ok and (result.households, result.members) == (1, 3)


def test_an_import_of_random_cells_or_broken_bytes_saves_all_or_nothing_and_says_why(importer, tree):
    before = saved_counts()

    @FORM_SETTINGS
    @given(content=st.one_of(household_workbooks(), broken_files), name=names)
    @example(content=CSV_BYTES, name="家庭档案.xlsx")  # a CSV renamed .xlsx
    @example(content=b"PK\x03\x04" + b"\x00" * 100, name="a.xlsx")
    def check(content, name):
        upload = SimpleUploadedFile(name, content, content_type=XLSX)

        result, after = rolled_back(lambda: households_import(actor=importer, union=tree["company"], file=upload))

        if result.ok:
            assert after["Household"] == before["Household"] + result.households > before["Household"]
            assert after["Member"] == before["Member"] + result.members
        else:
            assert after == before, "a refused file left rows behind"
            assert all(CJK.search(e.message) for e in result.errors), result.errors[:3]

    check()


def test_the_import_page_never_fails_on_a_hostile_file(client, importer, tree):
    client.force_login(importer)
    url = reverse("cases:household_import")
    before = saved_counts()

    @VIEW_SETTINGS
    @given(content=st.one_of(household_workbooks(), broken_files), name=names)
    def check(content, name):
        upload = SimpleUploadedFile(name, content, content_type=XLSX)

        response, after = rolled_back(lambda: client.post(url, {"union": tree["company"].pk, "file": upload}))

        assert response.status_code in (200, 302)
        if response.status_code == 302:  # a workbook: to its stage page, where a worker's check will show
            assert "/import/" in response["Location"]
            assert after["Household"] == before["Household"]  # nothing before the check and the confirmation
        else:
            page = response.content.decode()
            assert 'data-testid="import-errors"' in page or "is-invalid" in page, "refused without a message"
            assert after == before

    check()


# The bank's result file ----------------------------------------------------------------------------------


@pytest.fixture
def exported(tree):
    """A batch whose bank file went out: two payments wait for the bank's answer."""
    HardshipStandard.objects.create(union=tree["city"], **WUXI)
    seed_programs(union=tree["city"])
    grassroots = user_with_role(Role.GRASSROOTS_STAFF, tree["company"])
    centre = user_with_role(Role.CENTRE_STAFF, tree["city"])
    approver = user_with_role(Role.FUND_APPROVER, tree["city"])
    household = household_create(actor=grassroots, union=tree["company"], members=head_earning("6000"),
                                 data=household_data(bank_card="6222021234567890128",
                                                     bank_name="中国工商银行"))  # fmt: skip
    Household.objects.filter(pk=household.pk).update(status=Status.FILED, filed_at=date(2026, 1, 5))
    batch = Batch.objects.create(union=tree["city"], period="2026-Q2", created_by=centre)
    batch_compute(batch_id=batch.pk)
    money.batch_approve(actor=approver, batch_id=batch.pk, confirmed_total=approval_figures(batch=batch).total)
    money.bank_file(actor=approver, batch_id=batch.pk, bank="中国工商银行", fmt="csv")
    references = [p.reference for p in Payment.objects.filter(batch=batch).order_by("id")]
    assert len(references) == 2
    return {"batch": batch, "approver": approver, "references": references}


def _csv(rows: list[list[str]], encoding: str) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding, errors="replace")


@st.composite
def result_files(draw, references: list[str]) -> tuple[str, bytes]:
    header = draw(st.one_of(st.just(["参考号", "结果", "原因"]), st.lists(
        st.sampled_from(["参考号", "结果", "原因", "", "金额", "😀"]), max_size=5)))  # fmt: skip
    cell = st.one_of(st.sampled_from(references), st.sampled_from(["成功", "失败", "SUCCESS", "退回", "", "?"]),
                     any_text.map(lambda t: t[:2000]))  # fmt: skip
    rows = draw(st.lists(st.lists(cell, max_size=5), max_size=6))
    if draw(st.integers(0, 9)) == 0:
        rows.append([draw(st.sampled_from(references)), "失败", "长" * 200_000])  # beyond csv's field limit
    kind = draw(st.sampled_from(["csv", "csv", "xlsx", "broken"]))
    if kind == "xlsx":
        return draw(st.sampled_from(["r.xlsx", "R.XLSX"])), workbook_bytes(header, rows, "结果")
    if kind == "broken":
        return draw(st.sampled_from(["r.xlsx", "r.csv", "r.txt"])), draw(broken_files)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16", "latin-1"]))
    return draw(st.sampled_from(["r.csv", "r.xlsx", "r.CSV", "r"])), _csv([header, *rows], encoding)


def test_the_reconciliation_upload_applies_a_whole_file_or_nothing_and_never_fails(client, exported):
    client.force_login(exported["approver"])
    url = reverse("programs:batch_reconcile", args=[exported["batch"].pk])
    before = saved_counts()
    first, second = exported["references"]

    @VIEW_SETTINGS
    @given(file=result_files(exported["references"]))
    # A cell longer than csv's field limit (131,072 characters) raised csv.Error: a 500.
    @example(file=("r.csv", _csv([["参考号", "结果", "原因"], [first, "失败", "长" * 200_000]], "utf-8")))
    # A CSV renamed .xlsx, and a NUL byte in a CSV.
    @example(file=("r.xlsx", _csv([["参考号", "结果"], [first, "成功"]], "utf-8")))
    # A file with only its header was "对账完成：到账 0 笔", a success that settled nothing.
    @example(file=("r.csv", _csv([["参考号", "结果", "原因"]], "utf-8")))
    @example(file=("r.csv", b"\xef\xbb\xbf\xe5\x8f\x82\xe8\x80\x83\xe5\x8f\xb7,\xe7\xbb\x93\xe6\x9e\x9c\n\x00,\x00\n"))
    def check(file):
        name, content = file
        upload = SimpleUploadedFile(name, content)
        client.cookies.pop("messages", None)  # only this upload's messages

        response, after = rolled_back(lambda: client.post(url, {"file": upload}))

        assert response.status_code == 302
        from django.contrib.messages import get_messages

        shown = [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]
        assert shown, "no message after the upload"
        if any(level == "error" for level, _ in shown):
            assert after == before, "a refused result file changed payments"
            assert all(CJK.search(text) for _level, text in shown)
        else:
            assert after["paid"] > before["paid"]

    check()
    # The valid file still settles both payments afterwards.
    good = _csv([["参考号", "结果", "原因"], [first, "成功", ""], [second, "失败", "账户已销户"]], "utf-8")
    client.post(url, {"file": SimpleUploadedFile("r.csv", good)})
    assert Payment.objects.filter(status__in=["paid", "failed"]).count() == 2


def test_hostile_text_in_a_result_file_is_quoted_back_escaped(client, exported):
    client.force_login(exported["approver"])
    url = reverse("programs:batch_reconcile", args=[exported["batch"].pk])
    rows = [["参考号", "结果"], *[[text, "成功"] for text in HOSTILE_TEXT + NUL_TEXT if text.strip()]]

    response = client.post(url, {"file": SimpleUploadedFile("r.csv", _csv(rows, "utf-8"))}, follow=True)

    page = response.content.decode()
    assert response.status_code == 200 and "不属于本批次" in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
