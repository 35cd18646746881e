"""存量档案导入: a register already kept elsewhere, staged, checked by row and column, approved by a second
person and committed all or nothing — filed households with their old numbers and dates."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cases.models import Household, Member, Status, Tier
from cases.register import households as register_households
from cases.register.engine import kind_of, register_commit, register_stage
from cases.register.models import ImportStage, RegisterImport, StagedError
from cases.register.services import register_approve, register_discard, register_recheck, register_upload
from cases.register.workbook import register_xlsx
from cases.review.selectors import QUEUES
from cases.services import MemberInput, household_create
from cases.tiers import MemberFacts, compute_tier
from hardship.identity import make_id_number
from hardship.models import AuditEvent, Role
from hardship.workflow import ActionRefused
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

_SEQUENCE = iter(range(100, 900))


def person(birth=date(1980, 5, 1)) -> str:
    return make_id_number("320206", birth, next(_SEQUENCE))


def head(group, name, number, file_number, **cells) -> dict:
    return {
        "户编号": group, "与户主关系": "本人（户主）", "姓名": name, "身份证号": number, "就业就学状况": "在职",
        "联系电话": "13905100001", "家庭住址": "无锡市惠山区堰桥街道锡澄路 1 号", "工资性收入（元/年）": "12000",
        "主要致困原因": "患重特大疾病", "职工编号": file_number, "建档日期": "2021-03-15",
        "困难类别（原记录）": "特困", "上次复核日期": "2025-03-10", **cells,
    }  # fmt: skip


def child(group, name, number, **cells) -> dict:
    return {"户编号": group, "与户主关系": "子女", "姓名": name, "身份证号": number, "就业就学状况": "在校学生",
            "就学阶段": "初中", **cells}  # fmt: skip


def upload(rows: list[dict], name: str = "存量档案.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, register_xlsx(kind_of("households"), rows))


@pytest.fixture
def centre(tree):
    return user_with_role(Role.CENTRE_STAFF, tree["huishan"], username="centre_a", full_name="周明")


@pytest.fixture
def second(tree):
    return user_with_role(Role.CENTRE_STAFF, tree["huishan"], username="centre_b", full_name="陈静")


def staged(actor, union, rows, name="存量档案.xlsx") -> RegisterImport:
    register_import = register_upload(actor=actor, union=union, kind="households", file=upload(rows, name))
    return register_stage(import_id=register_import.pk)


def approve_and_commit(register_import, approver) -> RegisterImport:
    register_approve(actor=approver, import_id=register_import.pk)
    return register_commit(import_id=register_import.pk)


def register_of_two():
    return [
        head(1, "钱建国", person(), "WX2019-001"),
        child(1, "钱小雨", person(date(2012, 9, 1))),
        head(2, "孙红梅", person(), "WX2020-002", 建档日期="2020-06-01", 上次复核日期=""),
    ]


def test_a_register_is_filed_with_its_old_numbers_dates_and_tier_after_a_second_person_approves(
    tree, standard, centre, second
):
    # given a register of two filed households, checked
    register_import = staged(centre, tree["company"], register_of_two())
    assert register_import.status == ImportStage.CHECKED
    assert register_import.counts["new"] == 2 and register_import.counts["errors"] == 0
    assert [s["recorded"] for s in register_import.tier_sample] == ["特困", "特困"]
    assert not Household.objects.exists()  # nothing filed by the check

    # when a second centre user approves it and the worker commits
    done = approve_and_commit(register_import, second)

    # then both are filed, with their numbers, dates and tier, and enter the yearly review on their own dates
    assert done.status == ImportStage.COMMITTED and done.counts["created"] == 2
    qian = Household.objects.get(file_number="WX2019-001")
    assert (qian.status, qian.filed_at, qian.tier, qian.member_count) == (Status.FILED, date(2021, 3, 15),
                                                                         Tier.EXTREME, 2)  # fmt: skip
    assert qian.next_review_due == date(2026, 3, 10)
    assert Household.objects.get(file_number="WX2020-002").next_review_due == date(2021, 6, 1)
    assert Member.objects.filter(household=qian, is_live=True).count() == 2
    # and the file's history says where it came from and who uploaded and approved it
    event = AuditEvent.objects.get(target_type="cases.household", target_id=str(qian.pk))
    assert event.verb == "household.register_import"
    assert event.changes["register_file"][1] == "存量档案.xlsx" and event.changes["register_row"][1] == 2
    assert (event.changes["uploaded_by"][1], event.changes["approved_by"][1]) == ("周明", "陈静")
    yearly = QUEUES["yearly"]
    assert yearly.due_field == "next_review_due"


def test_every_error_is_named_by_row_and_column_and_nothing_is_committed(tree, standard, centre, second):
    # given a person already live in another union (滨湖) and a register with one of each mistake
    elsewhere = user_with_role(Role.GRASSROOTS_STAFF, tree["lihu"])
    live = person()
    household_create(
        actor=elsewhere,
        union=tree["lihu"],
        data={"phone": "13900000000", "address": "蠡湖 1 号", "main_cause": "serious_illness"},
        members=[MemberInput(relation="self", name="周某", id_number=live, work_status="employed")],
    )
    twice = person()
    rows = [
        head(1, "钱建国", twice, "WX-1"),
        child(1, "钱小雨", twice),  # row 3: the same person twice in the file
        head(2, "孙红梅", live, "WX-2"),  # row 4: already live in 滨湖
        head(3, "李四", person(), "WX-3", 所属工会="蠡湖街道总工会"),  # row 5: a union out of scope
        head(4, "王五", "320206198005010000", "WX-4"),  # row 6: a bad 身份证号
        head(5, "赵六", person(), "WX-5", 开户银行="中国工商银行", 银行卡号="12345"),  # row 7: a bad card
    ]

    # when it is checked
    register_import = staged(centre, tree["huishan"], rows)

    # then each error names its row and column, in Chinese
    errors = {(e.row_number, e.column): e.message for e in StagedError.objects.filter(register_import=register_import)}
    assert "与第 2 行是同一人" in errors[(3, "身份证号")]
    assert "请联系「滨湖区总工会」核实" in errors[(4, "身份证号")]  # the district to contact, nothing of that file
    assert "不在您的辖区内" in errors[(5, "所属工会")]
    assert (6, "身份证号") in errors
    assert (7, "银行卡号") in errors
    assert register_import.counts["new"] == 0
    # and it cannot be approved: nothing is committed
    with pytest.raises(ActionRefused, match="处错误"):
        register_approve(actor=second, import_id=register_import.pk)
    assert not Household.objects.filter(union__path__startswith=tree["huishan"].path).exists()


def test_the_uploader_cannot_approve_their_own_register(tree, standard, centre):
    register_import = staged(centre, tree["company"], register_of_two())

    with pytest.raises(ActionRefused, match="不能自己批准"):
        register_approve(actor=centre, import_id=register_import.pk)
    assert RegisterImport.objects.get(pk=register_import.pk).status == ImportStage.CHECKED


def test_the_same_workbook_approved_twice_creates_one_set_of_files(tree, standard, centre, second):
    rows = register_of_two()
    first = staged(centre, tree["company"], rows)
    again = staged(centre, tree["company"], rows)  # staged before the first is committed

    approve_and_commit(first, second)
    done = approve_and_commit(again, second)

    assert Household.objects.count() == 2
    assert done.counts["created"] == 0 and done.counts["skipped"] == 2
    # and once committed, a third upload of it shows every file as already there
    third = staged(centre, tree["company"], rows)
    assert (third.counts["new"], third.counts["matched"]) == (0, 2)


def test_a_commit_killed_half_way_leaves_nothing_and_can_be_committed_again(tree, standard, centre, second,
                                                                            monkeypatch):  # fmt: skip
    rows = [head(g, f"户主{g}", person(), f"WX-{g}") for g in range(1, 6)]
    register_import = staged(centre, tree["company"], rows)
    register_approve(actor=second, import_id=register_import.pk)

    def killed(step):
        raise SystemExit("worker killed")

    monkeypatch.setattr(register_households, "fail_point", killed)
    with pytest.raises(SystemExit):
        register_commit(import_id=register_import.pk)
    assert not Household.objects.exists() and not Member.objects.exists()
    assert RegisterImport.objects.get(pk=register_import.pk).status == ImportStage.APPROVED

    monkeypatch.setattr(register_households, "fail_point", lambda step: None)
    done = register_commit(import_id=register_import.pk)

    assert done.status == ImportStage.COMMITTED and Household.objects.count() == 5


def test_a_discarded_stage_is_never_committed(tree, standard, centre, second):
    register_import = staged(centre, tree["company"], register_of_two())

    register_discard(actor=second, import_id=register_import.pk)

    with pytest.raises(ActionRefused):
        register_approve(actor=second, import_id=register_import.pk)
    assert register_commit(import_id=register_import.pk).status == ImportStage.DISCARDED
    assert not Household.objects.exists()


def test_a_csv_register_is_read_like_the_workbook(tree, standard, centre, second):
    headers = [c.header for c in kind_of("households").columns]
    rows = register_of_two()
    text = "\n".join([",".join(headers), *(",".join(str(r.get(h, "")) for h in headers) for r in rows)])
    register_import = register_upload(actor=centre, union=tree["company"], kind="households",
                                      file=SimpleUploadedFile("register.csv", text.encode("utf-8-sig")))  # fmt: skip
    register_import = register_stage(import_id=register_import.pk)

    assert register_import.counts["new"] == 2, list(StagedError.objects.values_list("row_number", "message"))


def test_a_file_without_a_recorded_tier_is_assessed_as_the_office_would(tree, standard, centre, second):
    # given a household with no tier recorded: an unemployed working-age spouse (imputed the minimum wage),
    # a schoolchild, the head's wages and a medical expense
    rows = [
        head(1, "钱建国", person(), "WX-T1", **{"困难类别（原记录）": "", "工资性收入（元/年）": "24000",
                                              "医疗支出（元/年）": "6000"}),
        {**child(1, "李秀英", person(date(1984, 6, 21))), "与户主关系": "配偶", "就业就学状况": "失业/未就业",
         "就学阶段": ""},
        child(1, "钱小雨", person(date(2012, 9, 1))),
    ]  # fmt: skip
    register_import = staged(centre, tree["company"], rows)
    assert register_import.counts["errors"] == 0, list(StagedError.objects.values_list("row_number", "message"))

    # when it is committed
    approve_and_commit(register_import, second)

    # then its tier and income are those the office's own assessment gives the same household
    filed = Household.objects.get(file_number="WX-T1")
    members = list(filed.members.order_by("position"))
    office = compute_tier(
        recorded_income=sum((m.annual_income for m in members), Decimal("0")), rigid_expenses=filed.rigid_expenses,
        sudden_event_cost=Decimal("0"), standard=standard, on=date.today(),
        members=[MemberFacts(m.birth_date, m.work_status, m.health, m.disability) for m in members],
    )  # fmt: skip
    assert [m.relation for m in members] == ["self", "spouse", "child"]
    assert filed.imputed_members == office.imputed_members == 1
    assert (filed.tier, filed.annual_income, filed.per_capita_income) == (office.tier, office.annual_income,
                                                                          office.per_capita_income)  # fmt: skip
    assert filed.standard_id == standard.pk
    assert AuditEvent.objects.get(target_id=str(filed.pk), verb="household.register_import").changes["tier"] == [
        None, office.tier]  # fmt: skip


# 重新检查: a check whose worker is down ------------------------------------------------------------


def _page_actions(client, user, register_import) -> str:
    client.force_login(user)
    return client.get(reverse("cases:register_detail", args=[register_import.pk])).content.decode()


def test_a_check_that_has_not_moved_for_two_minutes_can_be_queued_again_from_its_page(
    client, tree, standard, centre, monkeypatch, django_capture_on_commit_callbacks
):
    # given an upload whose check no worker took (it stays 检查中)
    queued = []
    monkeypatch.setattr("cases.register.services.enqueue", lambda task, *args: queued.append((task.name, args)))
    register_import = register_upload(actor=centre, union=tree["company"], kind="households",
                                      file=upload(register_of_two()))  # fmt: skip
    # while it is fresh, its page offers nothing to do
    assert 'data-action="recheck"' not in _page_actions(client, centre, register_import)

    # when two minutes pass without progress
    RegisterImport.objects.filter(pk=register_import.pk).update(uploaded_at=timezone.now() - timedelta(minutes=3))
    page = _page_actions(client, centre, register_import)

    # then the page says so and offers 重新检查, which queues the check again
    assert 'data-action="recheck"' in page and "超过两分钟没有进展" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("cases:register_recheck", args=[register_import.pk]), follow=True)
    assert "已重新开始检查" in response.content.decode()
    assert queued == [("cases.register.tasks.stage_register", (register_import.pk,))]
    assert AuditEvent.objects.filter(verb="register.recheck").count() == 1
    # and the check run then stages it as usual; the button is gone (it moved)
    assert register_stage(import_id=register_import.pk).status == ImportStage.CHECKED
    assert 'data-action="recheck"' not in _page_actions(client, centre, register_import)


def test_a_failed_check_is_checked_again_from_the_start(tree, standard, centre, monkeypatch):
    monkeypatch.setattr("cases.register.services.enqueue", lambda *args: None)
    register_import = register_upload(actor=centre, union=tree["company"], kind="households",
                                      file=upload(register_of_two()))  # fmt: skip
    RegisterImport.objects.filter(pk=register_import.pk).update(status=ImportStage.FAILED, error="OperationalError",
                                                                rows_read=1)  # fmt: skip

    register_recheck(actor=centre, import_id=register_import.pk)
    done = register_stage(import_id=register_import.pk)

    assert (done.status, done.error, done.counts["new"]) == (ImportStage.CHECKED, "", 2)


def test_a_check_still_moving_cannot_be_queued_twice(tree, standard, centre, monkeypatch):
    monkeypatch.setattr("cases.register.services.enqueue", lambda *args: None)
    register_import = register_upload(actor=centre, union=tree["company"], kind="households",
                                      file=upload(register_of_two()))  # fmt: skip

    with pytest.raises(ActionRefused, match="两分钟内有进展"):
        register_recheck(actor=centre, import_id=register_import.pk)
