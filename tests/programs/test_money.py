"""Programs and money with Wuxi's figures: entitlements, the cap, approval, bank files, reconciliation."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from cases.changes.models import ChangeRequest
from cases.changes.services import change_approve, change_submit
from cases.models import HardshipStandard, Household, Status
from cases.services import household_create
from hardship.models import AuditEvent, Role
from programs.assistance import services
from programs.assistance.balances import approval_figures
from programs.assistance.batch import batch_compute
from programs.assistance.demo import seed_programs
from programs.assistance.models import Batch, Entitlement, LedgerEntry, Payment, Program
from tests.cases.conftest import head_earning, household_data, person
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def fund(tree, standard):
    seed_programs(union=tree["city"])
    return tree["city"]


@pytest.fixture
def centre(tree):
    return user_with_role(Role.CENTRE_STAFF, tree["city"], full_name="中心周敏")


@pytest.fixture
def approver(tree):
    return user_with_role(Role.FUND_APPROVER, tree["city"], full_name="审批赵国平")


def filed(actor, union, *, income="6000", members=None, card="6222021234567890128", bank="中国工商银行"):
    """A household that went through the review chain (its status set directly: money tests start here)."""
    household = household_create(actor=actor, union=union, members=head_earning(income, members),
                                 data=household_data(bank_card=card, bank_name=bank if card else ""))  # fmt: skip
    Household.objects.filter(pk=household.pk).update(status=Status.FILED, filed_at=date(2026, 1, 5))
    household.refresh_from_db()
    return household


def run(fund, period, actor=None):
    batch = Batch.objects.filter(union=fund, period=period).exclude(status="rejected").first()
    batch = batch or Batch.objects.create(union=fund, period=period, created_by=actor)
    return batch, batch_compute(batch_id=batch.pk)


def total_of(batch):
    """The total an approver confirms on the batch page."""
    return approval_figures(batch=batch).total


def amounts(household, key=None):
    rows = Entitlement.objects.filter(household=household)
    if key:
        rows = rows.filter(period_key=key)
    return {e.program.code: e.amount for e in rows.select_related("program")}


def test_a_filed_extreme_household_gets_350_living_and_150_price_subsidy_for_a_quarter(fund, tree, grassroots):
    household = filed(grassroots, tree["company"])  # 500 a month per person: 特困

    _batch, result = run(fund, "2026-Q2")

    assert household.tier == "extreme"
    assert amounts(household) == {"living": Decimal("350.00"), "price": Decimal("150.00")}
    assert result.total_amount == Decimal("500.00")


def test_the_yearly_one_off_aid_is_1200_once_a_year(fund, tree, grassroots):
    household = filed(grassroots, tree["company"])

    run(fund, "2026-Q4")
    run(fund, "2026-Q4")

    assert Entitlement.objects.filter(household=household, program__code="oneoff").count() == 1
    assert amounts(household, "2026")["oneoff"] == Decimal("1200.00")


def test_a_university_student_gets_the_school_aid_for_the_households_tier(fund, tree, grassroots):
    student = person("child", "陈浩", date(2006, 7, 30), "student", school_level="university")
    household = filed(grassroots, tree["company"], members=[person(), student])

    run(fund, "2026-Q3")

    assert amounts(household, "2026")["autumn"] == Decimal("7500.00")  # 特困, 大学


def test_relative_hardship_gets_no_living_subsidy_in_wuxi(fund, tree, grassroots):
    household = filed(grassroots, tree["company"], income="24000")  # 2000/month: 相对

    run(fund, "2026-Q2")

    assert household.tier == "relative" and amounts(household) == {}


def test_the_yearly_living_aid_never_exceeds_the_dibao_annual_total(fund, tree, grassroots, standard):
    # 低保 60/month: the year's cap for one person is 720 — less than 350×4 + 150×4 + 1200.
    HardshipStandard.objects.filter(pk=standard.pk).update(dibao_monthly=Decimal("60"),
                                                           extreme_line_monthly=Decimal("1440"))  # fmt: skip
    household = filed(grassroots, tree["company"])

    for quarter in ("2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"):
        run(fund, quarter)

    living = Entitlement.objects.filter(household=household, program__living_aid=True)
    assert sum(e.amount for e in living) == Decimal("720.00")


def test_within_one_quarter_the_living_aid_programs_fill_the_years_room_in_program_order(fund, tree, grassroots,
                                                                                        standard):  # fmt: skip
    # Cap 60 × 12 = 720 a year. Q1: 350 + 150 = 500 fit; Q2 has 220 left: the quarterly subsidy (the
    # earlier program) takes it all and the price subsidy gets nothing — computed in one statement.
    HardshipStandard.objects.filter(pk=standard.pk).update(dibao_monthly=Decimal("60"),
                                                           extreme_line_monthly=Decimal("1440"))  # fmt: skip
    household = filed(grassroots, tree["company"])

    run(fund, "2026-Q1")
    run(fund, "2026-Q2")

    assert amounts(household, "2026-Q1") == {"living": Decimal("350.00"), "price": Decimal("150.00")}
    assert amounts(household, "2026-Q2") == {"living": Decimal("220.00")}


def test_a_fund_pays_only_households_filed_at_its_union_or_below(tree, standard, grassroots):
    seed_programs(union=tree["huishan"])
    inside = filed(grassroots, tree["company"])
    outside = filed(user_with_role(Role.GRASSROOTS_STAFF, tree["lihu"]), tree["lihu"], card="6222021234567890136")

    run(tree["huishan"], "2026-Q2")

    assert amounts(inside) and not amounts(outside)


def test_households_not_filed_are_not_paid(fund, tree, grassroots):
    draft = household_create(actor=grassroots, union=tree["company"], data=household_data(),
                             members=head_earning("0"))  # fmt: skip

    run(fund, "2026-Q2")

    assert not Entitlement.objects.filter(household=draft).exists()


def test_running_the_batch_twice_creates_nothing_new(fund, tree, grassroots):
    filed(grassroots, tree["company"])
    _batch, first = run(fund, "2026-Q2")

    _batch, second = run(fund, "2026-Q2")

    assert (first.created, second.created) == (2, 0)
    assert second.total_amount == first.total_amount
    assert Payment.objects.count() == 2


def test_the_database_refuses_a_second_entitlement_for_the_same_period(fund, tree, grassroots):
    household = filed(grassroots, tree["company"])
    batch, _ = run(fund, "2026-Q2")
    entitlement = Entitlement.objects.filter(household=household).first()

    with pytest.raises(IntegrityError), transaction.atomic():
        Entitlement.objects.create(household=household, program=entitlement.program, period_key="2026-Q2",
                                   batch=batch, amount=Decimal("1"), tier="extreme", union=household.union)  # fmt: skip


def test_the_database_refuses_a_second_live_payment_of_an_entitlement(fund, tree, grassroots):
    filed(grassroots, tree["company"])
    batch, _ = run(fund, "2026-Q2")
    payment = Payment.objects.first()

    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(entitlement=payment.entitlement, batch=batch, household=payment.household,
                               amount=payment.amount)  # fmt: skip


def test_a_household_without_a_card_is_owed_but_not_paid_until_it_has_one(fund, tree, grassroots):
    household = filed(grassroots, tree["company"], card="")
    batch, _ = run(fund, "2026-Q2")
    assert Entitlement.objects.filter(household=household).count() == 2
    assert not Payment.objects.filter(household=household).exists()
    assert {"reason": "未填写银行卡号，暂缓发放", "n": 1} in Batch.objects.get(pk=batch.pk).summary["skipped"]

    Household.objects.filter(pk=household.pk).update(bank_card="6222021234567890128", bank_name="中国工商银行")
    run(fund, "2026-Q3")

    assert Payment.objects.filter(household=household, entitlement__period_key="2026-Q2").count() == 2


def test_a_batch_computed_in_english_reads_in_chinese_and_one_computed_in_chinese_reads_in_english(
    fund, tree, grassroots, centre
):
    """The stored summary keeps its words in the source language; each reader sees their own."""
    filed(grassroots, tree["company"], card="")
    filed(grassroots, tree["company"])
    batch = Batch.objects.create(union=fund, period="2026-Q2", created_by=centre)
    with translation.override("en"):  # a worker whose language happens to be English
        batch_compute(batch_id=batch.pk)
    client = Client()
    client.force_login(centre)
    url = reverse("programs:batch_detail", args=[batch.pk])

    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "未填写银行卡号，暂缓发放" in chinese and "特困" in chinese
    assert "未填写银行卡号" not in english and "暂缓发放" not in english
    assert "Extreme hardship" in english
    main = english.split("<main", 1)[-1].split("</main>", 1)[0]
    assert "：" not in main and "。" not in main  # a label's colon is ": " in English, a sentence ends in "."


# Approval.


def _computed(fund, tree, grassroots, centre, period="2026-Q2"):
    filed(grassroots, tree["company"])
    batch = Batch.objects.create(union=fund, period=period, created_by=centre)
    batch_compute(batch_id=batch.pk)
    return Batch.objects.get(pk=batch.pk)


def test_the_approver_who_did_not_start_it_approves_and_the_payees_are_frozen(fund, tree, grassroots, centre,
                                                                             approver):  # fmt: skip
    batch = _computed(fund, tree, grassroots, centre)

    services.batch_approve(actor=approver, batch_id=batch.pk, confirmed_total=approval_figures(batch=batch).total)
    Household.objects.update(bank_card="6222029999999999999", head_name="改名")

    payment = Payment.objects.first()
    assert payment.status == Payment.Status.APPROVED
    assert (payment.payee_name, payment.card_number) == ("蒋建华", "6222021234567890128")
    assert payment.card_masked == "6222 **** **** 0128"
    entry = LedgerEntry.objects.get(kind="payment")
    assert entry.amount == Decimal("-500.00")


def test_the_creator_cannot_approve_their_own_batch(fund, tree, grassroots, centre):
    from hardship.services import role_assign

    role_assign(actor=None, user=centre, union=tree["city"], role=Role.FUND_APPROVER)
    batch = _computed(fund, tree, grassroots, centre)

    with pytest.raises(PermissionDenied, match="不能自己审批"):
        services.batch_approve(actor=centre, batch_id=batch.pk, confirmed_total=approval_figures(batch=batch).total)


def test_centre_staff_cannot_approve(fund, tree, grassroots, centre):
    batch = _computed(fund, tree, grassroots, centre)
    other_centre = user_with_role(Role.CENTRE_STAFF, tree["city"])

    with pytest.raises(PermissionDenied):
        services.batch_approve(
            actor=other_centre, batch_id=batch.pk, confirmed_total=approval_figures(batch=batch).total
        )


def test_approval_is_refused_when_the_budget_is_short(fund, tree, grassroots, centre, approver):
    batch = _computed(fund, tree, grassroots, centre)
    LedgerEntry.objects.create(account=LedgerEntry.objects.first().account, kind="payment",
                               amount=Decimal("-499800"), memo="已用")  # fmt: skip

    with pytest.raises(ValidationError, match="预算不足"):
        services.batch_approve(actor=approver, batch_id=batch.pk, confirmed_total=approval_figures(batch=batch).total)
    assert Batch.objects.get(pk=batch.pk).status == Batch.Status.COMPUTED


def test_a_rejection_needs_a_reason_and_the_period_can_be_run_again(fund, tree, grassroots, centre, approver):
    batch = _computed(fund, tree, grassroots, centre)

    with pytest.raises(ValidationError, match="驳回原因"):
        services.batch_reject(actor=approver, batch_id=batch.pk, reason="")
    services.batch_reject(actor=approver, batch_id=batch.pk, reason="标准有误")
    assert not Entitlement.objects.exists() and not Payment.objects.exists()

    again = Batch.objects.create(union=fund, period="2026-Q2", created_by=centre)
    assert batch_compute(batch_id=again.pk).created == 2


# Bank files and reconciliation.


def _approved(fund, tree, grassroots, centre, approver):
    batch = _computed(fund, tree, grassroots, centre)
    return services.batch_approve(
        actor=approver, batch_id=batch.pk, confirmed_total=approval_figures(batch=batch).total
    )


def test_the_bank_file_has_the_full_card_and_its_download_is_audited(fund, tree, grassroots, centre, approver):
    batch = _approved(fund, tree, grassroots, centre, approver)

    content, content_type = services.bank_file(actor=approver, batch_id=batch.pk, bank="中国工商银行", fmt="csv")

    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0] == services.BANK_COLUMNS
    assert {r[2] for r in rows[1:]} == {"6222021234567890128"}
    assert sorted(r[3] for r in rows[1:]) == ["150.00", "350.00"]
    assert AuditEvent.objects.filter(verb="batch.bank_file", actor=approver).exists()
    assert Batch.objects.get(pk=batch.pk).status == Batch.Status.EXPORTED


def test_the_xlsx_bank_file_keeps_card_numbers_as_text(fund, tree, grassroots, centre, approver):
    from openpyxl import load_workbook

    batch = _approved(fund, tree, grassroots, centre, approver)

    content, _ = services.bank_file(actor=approver, batch_id=batch.pk, bank="中国工商银行", fmt="xlsx")

    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    assert sheet.cell(row=2, column=3).value == "6222021234567890128"


def _result_file(rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["参考号", "结果", "原因"])
    writer.writerows(rows)
    return SimpleUploadedFile("result.csv", buffer.getvalue().encode("utf-8"))


def test_reconciliation_marks_paid_and_failed_and_reverses_the_failure(fund, tree, grassroots, centre, approver):
    batch = _approved(fund, tree, grassroots, centre, approver)
    services.bank_file(actor=approver, batch_id=batch.pk, bank="中国工商银行", fmt="csv")
    first, second = Payment.objects.order_by("id")

    result = services.batch_reconcile(actor=approver, batch_id=batch.pk, upload=_result_file(
        [[first.reference, "成功", ""], [second.reference, "失败", "账户已销户"]]))  # fmt: skip

    assert (result.paid, result.failed, result.errors) == (1, 1, [])
    assert Payment.objects.get(pk=second.pk).failure_reason == "账户已销户"
    reversal = LedgerEntry.objects.get(kind="reversal")
    assert reversal.amount == second.amount and reversal.payment_id == second.pk
    assert Batch.objects.get(pk=batch.pk).status == Batch.Status.RECONCILED


def test_a_result_file_with_an_unknown_reference_changes_nothing(fund, tree, grassroots, centre, approver):
    batch = _approved(fund, tree, grassroots, centre, approver)
    services.bank_file(actor=approver, batch_id=batch.pk, bank="中国工商银行", fmt="csv")
    first = Payment.objects.order_by("id").first()

    result = services.batch_reconcile(actor=approver, batch_id=batch.pk, upload=_result_file(
        [[first.reference, "成功", ""], ["P99999-000000001", "成功", ""]]))  # fmt: skip

    assert len(result.errors) == 1 and "不属于本批次" in result.errors[0]
    assert not Payment.objects.filter(status="paid").exists()


def test_uploading_the_same_result_twice_reverses_once(fund, tree, grassroots, centre, approver):
    batch = _approved(fund, tree, grassroots, centre, approver)
    services.bank_file(actor=approver, batch_id=batch.pk, bank="中国工商银行", fmt="csv")
    rows = [[p.reference, "失败", "卡号错误"] for p in Payment.objects.all()]

    services.batch_reconcile(actor=approver, batch_id=batch.pk, upload=_result_file(rows))
    services.batch_reconcile(actor=approver, batch_id=batch.pk, upload=_result_file(rows))

    assert LedgerEntry.objects.filter(kind="reversal").count() == 2  # one per payment, not per upload


def test_a_failed_payment_is_reissued_in_a_later_batch_only_once_the_card_is_corrected(fund, tree, grassroots,
                                                                                       centre, approver):  # fmt: skip
    batch = _approved(fund, tree, grassroots, centre, approver)
    services.bank_file(actor=approver, batch_id=batch.pk, bank="中国工商银行", fmt="csv")
    failed = Payment.objects.order_by("id").first()
    rows = [[p.reference, "失败" if p.pk == failed.pk else "成功", "卡号错误"] for p in Payment.objects.all()]
    services.batch_reconcile(actor=approver, batch_id=batch.pk, upload=_result_file(rows))

    q3, _ = run(fund, "2026-Q3", centre)
    assert not Payment.objects.filter(batch=q3, entitlement=failed.entitlement).exists()  # same card: held

    Household.objects.update(bank_card="6222021234567890136")
    q4, _ = run(fund, "2026-Q4", centre)

    reissued = Payment.objects.get(batch=q4, entitlement=failed.entitlement)
    assert reissued.amount == failed.amount
    assert Payment.objects.filter(entitlement=failed.entitlement).exclude(status="failed").count() == 1


def test_the_ledger_matches_the_payments(fund, tree, grassroots, centre, approver):
    batch = _approved(fund, tree, grassroots, centre, approver)
    services.bank_file(actor=approver, batch_id=batch.pk, bank="中国工商银行", fmt="csv")
    first, second = Payment.objects.order_by("id")
    services.batch_reconcile(actor=approver, batch_id=batch.pk, upload=_result_file(
        [[first.reference, "成功", ""], [second.reference, "失败", "x"]]))  # fmt: skip

    spent = -sum(e.amount for e in LedgerEntry.objects.exclude(kind="allocation"))
    paid = sum(p.amount for p in Payment.objects.filter(status__in=["approved", "exported", "paid"]))
    assert spent == paid == first.amount


@pytest.mark.postgres
def test_the_database_refuses_to_rewrite_the_ledger(fund):
    entry = LedgerEntry.objects.first()

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE programs_ledgerentry SET amount = 1 WHERE id = %s", [entry.pk])


# Grants.


def test_a_medical_grant_is_capped_at_the_self_paid_share(fund, tree, grassroots):
    household = filed(grassroots, tree["company"])
    medical = Program.objects.get(code="medical")

    with pytest.raises(ValidationError, match="自付部分"):
        services.grant_apply(actor=grassroots, household=household, program=medical, amount=Decimal("5000"),
                             self_paid=Decimal("3000"), reason="住院")  # fmt: skip


def test_an_approved_grant_is_paid_in_the_next_batch_once(fund, tree, grassroots, approver, centre):
    household = filed(grassroots, tree["company"])
    medical = Program.objects.get(code="medical")
    grant = services.grant_apply(actor=grassroots, household=household, program=medical, amount=Decimal("2000"),
                                 self_paid=Decimal("3000"), reason="住院自付")  # fmt: skip
    services.grant_decide(actor=approver, grant_id=grant.pk, approve=True)

    run(fund, "2026-Q2", centre)
    run(fund, "2026-Q3", centre)

    assert Payment.objects.filter(entitlement__period_key=f"G{grant.pk}").count() == 1
    grant.refresh_from_db()
    assert grant.status == "scheduled"


def test_a_second_application_for_the_same_grant_this_year_is_refused_with_a_message(fund, tree, grassroots):
    household = filed(grassroots, tree["company"])
    medical = Program.objects.get(code="medical")
    apply = dict(actor=grassroots, household=household, program=medical, amount=Decimal("2000"),
                 self_paid=Decimal("3000"), reason="住院自付")  # fmt: skip
    services.grant_apply(**apply)

    with pytest.raises(ValidationError, match="已有一份“一次性医疗补贴”申请"):
        services.grant_apply(**apply)

    assert household.grants.count() == 1


def test_a_refused_application_does_not_stop_a_new_one(fund, tree, grassroots, approver):
    household = filed(grassroots, tree["company"])
    medical = Program.objects.get(code="medical")
    apply = dict(actor=grassroots, household=household, program=medical, amount=Decimal("2000"),
                 self_paid=Decimal("3000"), reason="住院自付")  # fmt: skip
    first = services.grant_apply(**apply)
    services.grant_decide(actor=approver, grant_id=first.pk, approve=False, reason="材料不全")

    second = services.grant_apply(**apply)

    assert second.status == "applied" and household.grants.count() == 2


def test_the_grant_form_shows_why_a_second_application_is_refused(client, fund, tree, grassroots):
    household = filed(grassroots, tree["company"])
    medical = Program.objects.get(code="medical")
    client.force_login(grassroots)
    url = reverse("programs:grant_apply", args=[household.pk])
    data = {"program": medical.pk, "amount": "2000", "self_paid": "3000", "reason": "住院自付"}
    assert client.post(url, data).status_code == 302

    response = client.post(url, data)

    assert response.status_code == 200
    year = timezone.localdate().year
    assert f"该户 {year} 年度已有一份“一次性医疗补贴”申请" in response.content.decode()
    assert household.grants.count() == 1


# Pages.


def test_the_batch_page_is_scoped_and_masks_cards(client, fund, tree, grassroots, centre, approver):
    batch = _approved(fund, tree, grassroots, centre, approver)
    client.force_login(approver)

    body = client.get(reverse("programs:batch_detail", args=[batch.pk])).content.decode()

    assert "6222 **** **** 0128" in body and "6222021234567890128" not in body
    binhu = user_with_role(Role.CENTRE_STAFF, tree["binhu"])
    client.force_login(binhu)
    assert client.get(reverse("programs:batch_detail", args=[batch.pk])).status_code == 404


def test_starting_a_batch_from_the_page_runs_it(client, fund, tree, grassroots, centre,
                                                django_capture_on_commit_callbacks):  # fmt: skip
    filed(grassroots, tree["company"])
    client.force_login(centre)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("programs:batch_start"), {"union": fund.pk, "period": "2026-Q2",
                                                                 "confirm": "True", "late": "on"})  # fmt: skip

    batch = Batch.objects.get()
    assert response.url == reverse("programs:batch_detail", args=[batch.pk])
    assert batch.status == Batch.Status.COMPUTED and batch.summary["total_amount"] == "500.00"


def test_a_second_batch_for_the_same_period_is_refused_with_a_message(client, fund, tree, grassroots, centre):
    Batch.objects.create(union=fund, period="2026-Q2", created_by=centre)
    client.force_login(centre)

    response = client.post(reverse("programs:batch_start"), {"union": fund.pk, "period": "2026-Q2"}, follow=True)

    assert "已有发放批次" in response.content.decode()
    assert Batch.objects.count() == 1


def test_a_malformed_period_is_refused(client, fund, centre):
    client.force_login(centre)

    response = client.post(reverse("programs:batch_start"), {"union": fund.pk, "period": "2026-5"}, follow=True)

    assert "2026-Q4" in response.content.decode()
    assert not Batch.objects.exists()


def test_a_fresh_lock_cannot_be_released_but_a_stale_one_can(fund, centre, settings):
    from django.utils import timezone

    from programs.assistance.batch import batch_release_lock

    batch = Batch.objects.create(union=fund, period="2026-Q2")
    Batch.objects.filter(pk=batch.pk).update(lock_token="x", status="running", locked_at=timezone.now())

    with pytest.raises(ValidationError, match="仍在运行"):
        batch_release_lock(actor=centre, batch_id=batch.pk)
    Batch.objects.filter(pk=batch.pk).update(locked_at=timezone.now() - timezone.timedelta(hours=1))
    assert batch_release_lock(actor=centre, batch_id=batch.pk)
    batch.refresh_from_db()
    assert (batch.status, batch.lock_token) == (Batch.Status.FAILED, "")
    assert AuditEvent.objects.filter(verb="batch.release_lock", actor=centre).exists()


def test_a_filed_households_new_card_is_approved_by_the_centre_and_the_failed_payment_is_reissued(
    client, fund, tree, grassroots, centre, approver
):
    batch = _approved(fund, tree, grassroots, centre, approver)
    services.bank_file(actor=approver, batch_id=batch.pk, bank="中国工商银行", fmt="csv")
    rows = [[p.reference, "失败", "卡号错误"] for p in Payment.objects.all()]
    services.batch_reconcile(actor=approver, batch_id=batch.pk, upload=_result_file(rows))
    household = Household.objects.get()
    client.force_login(grassroots)

    # The payee card of a filed file changes by a change request (变更申请), never by the asker alone.
    response = client.post(
        reverse("cases:change_propose", args=[household.pk]) + "?kind=bank_account",
        {"reason": "card_error", "bank_name": "中国建设银行", "bank_branch": "无锡分行",
         "bank_card": "6217 0015 1000 1234 567"},
    )  # fmt: skip
    change = ChangeRequest.objects.get()
    assert response.status_code == 302
    change_submit(actor=grassroots, change_id=change.pk)
    household.refresh_from_db()
    assert household.bank_card == "6222021234567890128"  # not before the centre approves
    change_approve(actor=centre, change_id=change.pk)

    household.refresh_from_db()
    assert household.bank_card == "6217001510001234567"
    assert AuditEvent.objects.filter(verb="change.approve", actor=centre, target_id=str(household.pk)).exists()
    q3, _ = run(fund, "2026-Q3", centre)
    assert Payment.objects.filter(batch=q3, entitlement__period_key="2026-Q2").count() == 2


def test_approving_a_batch_refreshes_the_dashboard_once_it_commits(fund, tree, grassroots, centre, approver,
                                                                   django_capture_on_commit_callbacks):  # fmt: skip
    from programs.reports.models import DashboardSnapshot, MoneyTally

    batch = _computed(fund, tree, grassroots, centre)
    assert not DashboardSnapshot.objects.exists()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.batch_approve(actor=approver, batch_id=batch.pk, confirmed_total=approval_figures(batch=batch).total)

    # The money approved a moment ago is on the dashboard without waiting for the ten-minute round.
    assert len(callbacks) == 1 and DashboardSnapshot.objects.count() == 1
    assert sum(t.total for t in MoneyTally.objects.all()) == Decimal("500.00")  # 350 + 150


def test_a_refresh_that_cannot_be_queued_does_not_undo_the_approval(
    fund, tree, grassroots, centre, approver, monkeypatch, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError as BrokerError

    from hardship import tasks as hardship_tasks

    refused = []

    def broker_down(task, args, kwargs):
        refused.append(task.name)
        raise BrokerError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(hardship_tasks, "_send", broker_down)
    batch = _computed(fund, tree, grassroots, centre)

    with django_capture_on_commit_callbacks(execute=True):
        services.batch_approve(actor=approver, batch_id=batch.pk, confirmed_total=approval_figures(batch=batch).total)

    assert refused == ["programs.reports.tasks.refresh_dashboard_summary"]
    assert Batch.objects.get(pk=batch.pk).status == Batch.Status.APPROVED
