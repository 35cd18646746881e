"""Household files to and from Excel: the template, the all-or-nothing import and the masked, scoped export."""

from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl.utils import get_column_letter

from cases.excel import households_export_xlsx, households_import, households_template_xlsx
from cases.excel.columns import CHOICE, COLUMNS, choice_labels
from cases.models import Household, Member, Tier
from cases.register.engine import register_commit, register_stage
from cases.register.models import RegisterImport
from cases.register.services import register_import_drafts
from cases.selectors import household_list
from cases.services import MemberInput, household_create
from hardship.identity import make_id_number
from hardship.models import AuditEvent, ExportJob, Role
from hardship.workflow import ActionRefused
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

HEADERS = [c.header for c in COLUMNS]


def id_number(birth=date(1980, 5, 1), sequence=101) -> str:
    return make_id_number("320206", birth, sequence)


def head_row(group, name, number, **cells) -> dict:
    return {
        "户编号": group,
        "与户主关系": "本人（户主）",
        "姓名": name,
        "身份证号": number,
        "就业就学状况": "在职",
        "联系电话": "13905100001",
        "家庭住址": "无锡市惠山区堰桥街道锡澄路 1 号",
        "工资性收入（元/年）": "30000",
        "主要致困原因": "患重特大疾病",
        **cells,
    }


def member_row(group, relation, name, number, **cells) -> dict:
    return {
        "户编号": group,
        "与户主关系": relation,
        "姓名": name,
        "身份证号": number,
        "就业就学状况": "在校学生",
        **cells,
    }


def workbook_upload(rows: list[dict], name: str = "家庭档案.xlsx") -> SimpleUploadedFile:
    """The downloaded template with its example rows replaced by ``rows``, as a user would upload it."""
    workbook = openpyxl.load_workbook(BytesIO(households_template_xlsx()))
    sheet = workbook["家庭成员"]
    sheet.delete_rows(2, sheet.max_row)
    for row in rows:
        sheet.append([row.get(header) for header in HEADERS])
    buffer = BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def three_households(bad_row_7: str | None = None) -> list[dict]:
    """Households 1 (rows 2–4), 2 (rows 5–6) and 3 (rows 7–8)."""
    return [
        head_row(1, "张建国", id_number(sequence=11)),
        member_row(1, "配偶", "李秀英", id_number(date(1982, 3, 4), 12), 就业就学状况="无劳动能力"),
        member_row(1, "子女", "张晓雨", id_number(date(2012, 9, 1), 14), 就学阶段="小学"),
        head_row(2, "王志强", id_number(date(1975, 1, 2), 21)),
        member_row(2, "子女", "王雨桐", id_number(date(2010, 1, 15), 24), 就学阶段="初中"),
        head_row(3, "陈美玲", bad_row_7 or id_number(date(1983, 4, 8), 26)),
        member_row(3, "父母", "陈福根", id_number(date(1950, 2, 3), 15), 就业就学状况="退休"),
    ]


def cell_values(xlsx: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(BytesIO(xlsx)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def existing_household(actor, union, *, head_name="蒋建华", number=None, phone="13905100001") -> Household:
    return household_create(
        actor=actor,
        union=union,
        data={"phone": phone, "address": "惠山区堰桥街道西漳村 12 号", "main_cause": "serious_illness"},
        members=[MemberInput(relation="self", name=head_name, id_number=number or id_number(), work_status="employed")],
    )


# The template ---------------------------------------------------------------------------------


def test_template_downloads_as_xlsx_with_member_sheet_and_instructions(client, tree, in_scope_user):
    client.force_login(in_scope_user)

    response = client.get(reverse("cases:household_template"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = openpyxl.load_workbook(BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames == ["家庭成员", "填写说明"]
    members = workbook["家庭成员"]
    assert [c.value for c in members[1]] == HEADERS
    assert members.freeze_panes == "D2"


def test_template_offers_chinese_dropdowns_for_choice_columns():
    sheet = openpyxl.load_workbook(BytesIO(households_template_xlsx()))["家庭成员"]

    lists = {str(dv.sqref): dv.formula1 for dv in sheet.data_validations.dataValidation}

    assert lists["B2:B20001"] == '"本人（户主）,配偶,子女,父母,孙子女,兄弟姐妹,其他"'
    assert "患重特大疾病" in lists[_range_of("main_cause")]
    assert lists[_range_of("single_parent")] == '"是,否"'


def _range_of(field: str) -> str:
    letter = get_column_letter(next(i for i, c in enumerate(COLUMNS, start=1) if c.field == field))
    return f"{letter}2:{letter}20001"


def test_every_dropdown_list_fits_excels_255_character_limit():
    for column in (c for c in COLUMNS if c.kind == CHOICE):
        assert len('"' + ",".join(choice_labels(column.choices)) + '"') <= 255, column.header


def test_template_example_imports_as_one_household(tree, standard, in_scope_user):
    template = SimpleUploadedFile("模板.xlsx", households_template_xlsx())

    result = households_import(actor=in_scope_user, union=tree["company"], file=template)

    assert result.ok, result.errors
    assert (result.households, result.members) == (1, 3)
    household = Household.objects.get()
    assert household.head_name == "张建国"
    assert household.member_count == 3
    assert household.secondary_causes == ["schooling"]
    assert household.tier == Tier.EXTREME  # (33600 − 60600) → 0 per head, under the 1440 line


# Importing -------------------------------------------------------------------------------------


def _uploaded(client, union, upload):
    """The upload's answer (a redirect to the stage page) and its import, checked as the worker would."""
    response = client.post(reverse("cases:household_import"), {"union": union.pk, "file": upload})
    register_import = RegisterImport.objects.get(kind="drafts")
    assert response.status_code == 302 and response["Location"] == stage_url(register_import)
    register_stage(import_id=register_import.pk)
    return register_import


def stage_url(register_import) -> str:
    return reverse("cases:household_import_stage", args=[register_import.pk])


def test_import_page_checks_then_imports_and_reports_how_many_households_were_created(
    client, tree, standard, in_scope_user
):
    client.force_login(in_scope_user)
    register_import = _uploaded(client, tree["company"], workbook_upload(three_households()))

    # the check's summary, before anything is created
    summary = client.get(stage_url(register_import)).content.decode()
    assert "检查无误：共 3 户、7 名家庭成员" in summary and 'data-action="import_drafts"' in summary
    assert not Household.objects.exists()

    # when the uploader confirms (the worker commits)
    client.post(reverse("cases:household_import_commit", args=[register_import.pk]))
    register_commit(import_id=register_import.pk)

    assert "导入成功：共 3 户、7 名家庭成员" in client.get(stage_url(register_import)).content.decode()
    assert Household.objects.filter(union=tree["company"], status="draft").count() == 3
    assert AuditEvent.objects.filter(verb="household.create").count() == 3
    assert AuditEvent.objects.filter(verb="household.import").count() == 1


def test_a_card_failing_the_check_digit_is_imported_and_the_page_names_its_file(client, tree, standard, in_scope_user):
    # 6222021234567890128 passes Luhn; its last digit changed does not.
    rows = three_households()
    rows[0] |= {"开户银行": "中国工商银行", "银行卡号": "6222021234567890127"}
    rows[3] |= {"开户银行": "中国工商银行", "银行卡号": "6222021234567890128"}
    client.force_login(in_scope_user)
    register_import = _uploaded(client, tree["company"], workbook_upload(rows))
    client.post(reverse("cases:household_import_commit", args=[register_import.pk]))
    register_commit(import_id=register_import.pk)

    page = client.get(stage_url(register_import)).content.decode()
    flagged = Household.objects.get(head_name="张建国")
    assert not flagged.bank_card_luhn_ok and Household.objects.get(head_name="王志强").bank_card_luhn_ok
    assert 'data-testid="import-card-warnings"' in page and "1 户的银行卡号未通过校验位检查" in page
    assert reverse("cases:household_detail", args=[flagged.pk]) in page and "王志强</a>" not in page


def test_one_bad_id_number_in_row_7_names_row_and_column_and_saves_nothing(client, tree, standard, in_scope_user):
    client.force_login(in_scope_user)
    bad = id_number(date(1983, 4, 8), 26)[:-1] + "0"  # wrong check character

    register_import = _uploaded(client, tree["company"], workbook_upload(three_households(bad_row_7=bad)))
    response = client.get(stage_url(register_import))

    assert response.status_code == 200
    errors = response.context["errors"]
    assert [(e.row, e.column) for e in errors] == [(7, "身份证号")]
    assert "校验位错误" in errors[0].message
    page = response.content.decode()
    assert "第 7 行" in page and "身份证号" in page and "文件未导入" in page
    assert 'data-action="import_drafts"' not in page
    assert Household.objects.count() == 0
    assert Member.objects.count() == 0


def test_only_the_uploader_confirms_a_drafts_import(client, tree, standard, in_scope_user, grassroots):
    client.force_login(in_scope_user)
    register_import = _uploaded(client, tree["company"], workbook_upload(three_households()))

    with pytest.raises(ActionRefused, match="只有上传人"):
        register_import_drafts(actor=grassroots, import_id=register_import.pk)
    assert RegisterImport.objects.get(pk=register_import.pk).status == "checked"


def test_every_bad_row_is_reported_in_one_go(tree, standard, in_scope_user):
    rows = three_households()
    rows[0]["工资性收入（元/年）"] = "-5"
    rows[1]["与户主关系"] = "表哥"
    rows[3]["次要致困原因"] = "子女上学、下岗失业、遭受意外事故、其他"

    result = households_import(actor=in_scope_user, union=tree["company"], file=workbook_upload(rows))

    assert [(e.row, e.column) for e in result.errors] == [
        (2, "工资性收入（元/年）"),
        (3, "与户主关系"),
        (5, "次要致困原因"),
    ]
    assert Household.objects.count() == 0


@pytest.mark.parametrize(
    ("header", "value"),
    [("身份证号", 3.2020619820315e17), ("身份证号", True), ("月收入（元）", "1e999"), ("月收入（元）", 1e300),
     ("与户主关系", "x" * 5000), ("单亲（是/否）", 7), ("次要致困原因", "、、")],
)  # fmt: skip
def test_odd_cell_values_are_reported_never_crash(tree, standard, in_scope_user, header, value):
    rows = [head_row(1, "张建国", id_number()) | {header: value}]

    result = households_import(actor=in_scope_user, union=tree["company"], file=workbook_upload(rows))

    assert result.households + len(result.errors) >= 1
    assert all(len(e.message) < 120 for e in result.errors)


def test_household_without_a_head_is_refused(tree, standard, in_scope_user):
    rows = [member_row(1, "配偶", "李秀英", id_number(date(1982, 3, 4), 12), 就业就学状况="无劳动能力")]

    result = households_import(actor=in_scope_user, union=tree["company"], file=workbook_upload(rows))

    assert [(e.row, e.column) for e in result.errors] == [(2, "与户主关系")]
    assert "没有“本人（户主）”" in result.errors[0].message


def test_same_person_twice_in_the_file_is_refused(tree, standard, in_scope_user):
    rows = three_households()
    rows[4]["身份证号"] = rows[1]["身份证号"]  # row 6 repeats the spouse of row 3

    result = households_import(actor=in_scope_user, union=tree["company"], file=workbook_upload(rows))

    assert [(e.row, e.column) for e in result.errors] == [(6, "身份证号")]
    assert "与第 3 行是同一人" in result.errors[0].message
    assert Household.objects.count() == 0


def test_person_already_on_a_live_file_elsewhere_is_refused(tree, standard, in_scope_user, out_of_scope_user):
    on_file = id_number(date(1975, 1, 2), 21)
    existing_household(out_of_scope_user, tree["lihu"], number=on_file)

    result = households_import(actor=in_scope_user, union=tree["company"], file=workbook_upload(three_households()))

    assert [(e.row, e.column) for e in result.errors] == [(5, "身份证号")]
    # outside the importer's scope: the district to contact, as a single new file is told (nothing of that file)
    assert "请联系「滨湖区总工会」核实" in result.errors[0].message
    assert Household.objects.count() == 1


def test_checking_a_large_file_asks_the_database_no_query_per_row(tree, standard, in_scope_user):
    def rows(n):
        return [head_row(g, f"职工{g}", id_number(date(1970, 1, 1) + timedelta(days=g)), 主要致困原因="不存在的原因")
                for g in range(1, n + 1)]  # fmt: skip

    with CaptureQueriesContext(connection) as small:
        households_import(actor=in_scope_user, union=tree["company"], file=workbook_upload(rows(10)))
    upload = workbook_upload(rows(1200))
    with CaptureQueriesContext(connection) as large:
        result = households_import(actor=in_scope_user, union=tree["company"], file=upload)

    assert len(result.errors) == 1200
    # set-wise checks; only the staging's inserts come in batches (a COPY each on PostgreSQL)
    assert len(large) - len(small) < 1190 / 50


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("家庭档案.csv", "户编号,姓名\n1,张三\n".encode(), "只能导入 Excel .xlsx 文件"),
        ("家庭档案.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "旧版 Excel（.xls）"),
        ("家庭档案.xlsx", b"PK\x03\x04" + b"\0" * 100, "文件已损坏"),
    ],
)
def test_a_file_that_is_not_a_valid_xlsx_gets_a_clear_message(
    client, tree, standard, in_scope_user, name, content, expected
):
    client.force_login(in_scope_user)

    response = client.post(
        reverse("cases:household_import"), {"union": tree["company"].pk, "file": SimpleUploadedFile(name, content)}
    )

    assert response.status_code == 200
    assert expected in response.content.decode()
    assert response.context["result"].errors[0].row is None
    assert Household.objects.count() == 0


def test_a_file_over_5_mb_is_refused(tree, standard, in_scope_user):
    upload = SimpleUploadedFile("大文件.xlsx", b"PK\x03\x04" + b"\0" * (5 * 1024 * 1024))

    result = households_import(actor=in_scope_user, union=tree["company"], file=upload)

    assert "不能超过 5 MB" in result.errors[0].message


def test_import_page_offers_only_the_users_own_unions(client, tree, in_scope_user):
    client.force_login(in_scope_user)

    response = client.get(reverse("cases:household_import"))

    offered = {u.name for u in response.context["form"].fields["union"].queryset}
    assert offered == {"惠山区总工会", "堰桥街道总工会", "海溪公司工会"}
    assert reverse("cases:household_template") in response.content.decode()


def test_a_user_of_one_union_finds_it_chosen_on_the_import_page(client, tree, grassroots):
    client.force_login(grassroots)
    page = client.get(reverse("cases:household_import")).content.decode()
    assert f'<option value="{tree["company"].pk}" selected>' in page and "20,000" not in page


def test_importing_into_a_sibling_districts_union_is_refused(client, tree, standard, in_scope_user):
    client.force_login(in_scope_user)

    response = client.post(
        reverse("cases:household_import"), {"union": tree["lihu"].pk, "file": workbook_upload(three_households())}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["union"]
    assert Household.objects.count() == 0


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.GRASSROOTS_STAFF, 200), (Role.DISCIPLINE_OBSERVER, 403), (Role.ENTERPRISE_CONTACT, 403)],
)
def test_only_file_editors_open_the_import_page(client, tree, role, status):
    client.force_login(user_with_role(role, tree["company"]))

    response = client.get(reverse("cases:household_import"))

    assert response.status_code == status


# Exporting -------------------------------------------------------------------------------------


def test_export_masks_id_numbers_and_phones(tree, standard, in_scope_user):
    number = id_number(date(1980, 5, 1), 101)
    existing_household(in_scope_user, tree["company"], number=number, phone="13905101234")

    rows = cell_values(households_export_xlsx(households=household_list(user=in_scope_user)))

    assert rows[0][:3] == ["职工编号", "户主", "身份证号（脱敏）"]
    assert rows[1][2] == f"320206********{number[-4:]}"
    assert rows[1][10] == "139****1234"
    assert number not in str(rows)


def test_export_defuses_cells_that_excel_would_run_as_formulas(tree, standard, in_scope_user):
    existing_household(in_scope_user, tree["company"], head_name="=cmd|' /C calc'!A0")
    existing_household(in_scope_user, tree["company"], head_name="@SUM(A1)", number=id_number(sequence=103))

    rows = cell_values(households_export_xlsx(households=household_list(user=in_scope_user)))

    assert {row[1] for row in rows[1:]} == {"'=cmd|' /C calc'!A0", "'@SUM(A1)"}


def test_export_never_contains_a_sibling_districts_household(client, tree, standard, in_scope_user, out_of_scope_user):
    existing_household(in_scope_user, tree["company"], head_name="惠山户")
    existing_household(out_of_scope_user, tree["lihu"], head_name="滨湖户", number=id_number(sequence=103))
    client.force_login(in_scope_user)

    response = client.get(reverse("cases:household_export"), {"union": tree["lihu"].pk})
    everything = client.get(reverse("cases:household_export"))

    assert [row[1] for row in cell_values(b"".join(response.streaming_content))[1:]] == []
    assert [row[1] for row in cell_values(b"".join(everything.streaming_content))[1:]] == ["惠山户"]


def test_export_follows_the_list_filters(client, tree, standard, in_scope_user):
    existing_household(in_scope_user, tree["company"], head_name="张三")
    existing_household(in_scope_user, tree["yanqiao"], head_name="李四", number=id_number(sequence=103))
    client.force_login(in_scope_user)

    response = client.get(reverse("cases:household_export"), {"q": "李", "union": tree["huishan"].pk})

    assert [row[1] for row in cell_values(b"".join(response.streaming_content))[1:]] == ["李四"]


def test_export_is_recorded_in_the_audit_log_with_its_row_count(client, tree, standard, in_scope_user):
    existing_household(in_scope_user, tree["company"])
    client.force_login(in_scope_user)

    client.get(reverse("cases:household_export"), {"q": id_number()})

    event = AuditEvent.objects.get(verb="household.export")
    assert event.actor == in_scope_user
    assert event.changes["rows"] == [None, 1]
    assert id_number() not in str(event.changes)  # the searched 身份证号 is masked


def test_an_export_too_large_for_one_request_is_written_by_the_task_with_the_filters_on_screen(
    client, tree, standard, in_scope_user, settings
):
    settings.EXPORT_INLINE_MAX_ROWS = 1
    existing_household(in_scope_user, tree["company"], head_name="张三")
    existing_household(in_scope_user, tree["company"], head_name="李四", number=id_number(sequence=103))
    client.force_login(in_scope_user)

    response = client.get(reverse("cases:household_export"), {"tier": "extreme"}, follow=True)

    assert response.redirect_chain[0][0] == reverse("hardship:export_list")
    assert "正在后台生成导出文件" in response.content.decode()
    job = ExportJob.objects.get(owner=in_scope_user)
    assert job.kind == "households" and job.params["tier"] == "extreme" and job.rows_total == 2
    assert AuditEvent.objects.filter(verb="household.export").count() == 1


@pytest.mark.parametrize("params", [{"union": "abc"}, {"union": "99999999999999999999999"}, {"tier": "<script>"}])
def test_export_ignores_nonsense_filters(client, tree, standard, in_scope_user, params):
    existing_household(in_scope_user, tree["company"])
    client.force_login(in_scope_user)

    response = client.get(reverse("cases:household_export"), params)

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.DISCIPLINE_OBSERVER, 200), (Role.CASEWORKER, 200), (Role.ENTERPRISE_CONTACT, 403)],
)
def test_only_file_readers_export(client, tree, role, status):
    client.force_login(user_with_role(role, tree["huishan"]))

    response = client.get(reverse("cases:household_export"))

    assert response.status_code == status


def test_money_in_the_file_is_read_as_exact_decimals(tree, standard, in_scope_user):
    rows = [head_row(1, "张建国", id_number(), **{"工资性收入（元/年）": "30,000.10", "医疗支出（元/年）": 1234.5})]

    households_import(actor=in_scope_user, union=tree["company"], file=workbook_upload(rows))

    household = Household.objects.get()
    assert household.members.get().income_wages == Decimal("30000.10")
    assert household.expense_medical == Decimal("1234.50")
