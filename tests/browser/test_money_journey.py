"""A quarter's money in the browser: from the batch to the bank and back, by two people.

周敏 (``centre``) starts this quarter's batch from 发放批次 and watches it compute on a real
Celery worker (one household id per chunk, so the bar moves) → 赵国平 (``approver``) approves
it, downloads each bank's file and uploads the bank's result, in which 孙国强's closed
建设银行 account failed → his card is corrected → the previous quarter's batch (a 补发, confirmed
as such) re-issues his payments.
Also 资金台账 (the reversal), 帮扶项目, and the batch, ledger and grants on a phone.
Screenshots: screenshots/money-*.png.
"""

import csv
import io
import time
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from cases.models import Household
from hardship.demo import DEMO_PASSWORD
from hardship.identity import make_card_number, make_id_number
from hardship.models import Notification, Union, User
from programs.assistance import services
from programs.assistance.models import Batch, Grant, Payment, Program
from programs.assistance.periods import quarter_of
from tests.browser.conftest import PHONE, login, screenshot
from tests.cases.conftest import person
from tests.programs.test_money import filed

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.celery_worker]

ICBC, CCB = "中国工商银行", "中国建设银行"
CLOSED_CARD = make_card_number("621700151000777111")  # 孙国强's old card: the bank returns it
NEW_CARD = make_card_number("621700151000777222")
REASON = "账户已销户"


@pytest.fixture
def demo(live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", stdout=io.StringIO())
    Notification.objects.update(read_at=timezone.now())
    return live_server


@pytest.fixture
def worker(worker_factory, monkeypatch):
    """A real Celery worker on a queue of its own, one household id per chunk so the bar moves.

    The page's compute task goes to that queue: a shared Redis may serve other workers on the default one.
    """
    _proc, queue = worker_factory(BATCH_CHUNK_IDS=1)
    from programs.assistance import services, tasks

    task = tasks.compute_batch

    class OnThisQueue:  # what hardship.tasks.enqueue uses of a task
        name = task.name

        def apply_async(self, **options):
            return task.apply_async(queue=queue, **options)

    # The services module holds its own reference (imported at its top): that is the one the page's send uses.
    monkeypatch.setattr(services, "compute_batch", OnThisQueue())
    return queue


@pytest.fixture
def households(demo):
    """蒋建华 (the demo's filed family) plus three more filed households, 孙国强 at another bank;
    and an approved medical grant for 蒋建华, paid with the batch."""
    centre = User.objects.get(username="centre")
    made = {}
    for name, code, birth, seq, card, bank in [
        ("钱秀兰", "WX-HS-YQ-02", date(1970, 2, 8), 602, make_card_number("622202151000777333"), ICBC),
        ("孙国强", "WX-BH-LH-01", date(1968, 9, 21), 611, CLOSED_CARD, CCB),
        ("周桂芳", "WX-LX-CN-01", date(1972, 12, 3), 622, make_card_number("622202151000777444"), ICBC),
    ]:
        member = person(name=name, birth=birth, id_number=make_id_number("320206", birth, seq))
        made[name] = filed(centre, Union.objects.get(code=code), members=[member], card=card, bank=bank)
    jiang = Household.objects.get(head_name="蒋建华")
    grant = services.grant_apply(
        actor=User.objects.get(username="grassroots"), household=jiang, program=Program.objects.get(code="medical"),
        amount=Decimal("2000"), self_paid=Decimal("3600"), reason="妻子透析，住院自付费用",
    )  # fmt: skip
    services.grant_decide(actor=User.objects.get(username="approver"), grant_id=grant.pk, approve=True)
    return {**made, "蒋建华": jiang, "grant": grant}


def nav(page, label):
    """Click a menu entry as a user does: from the bar, or from 「更多」 when it did not fit on the line."""
    link = page.locator("[data-testid=main-nav]").get_by_role("link", name=label)
    if not link.is_visible():
        page.locator("[data-testid=nav-more]").click()
    with page.expect_navigation():
        link.click()


def metric(page, label):
    """The big number above a metric's label on the batch page."""
    return page.locator(".card-body").filter(has=page.locator(".metric-label", has_text=label)).locator(".metric-value")


def wait_for(predicate, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    pytest.fail("timed out")


def read_xlsx(download, folder) -> list[list[str]]:
    path = folder / download.suggested_filename
    download.save_as(path)
    sheet = load_workbook(path, read_only=True).worksheets[0]
    return [["" if c is None else str(c) for c in row] for row in sheet.iter_rows(values_only=True)]


def test_a_quarter_is_computed_approved_paid_reconciled_and_the_failure_reissued(page, phone_page, demo, worker,
                                                                                 households, tmp_path):  # fmt: skip
    wuxi = Union.objects.get(code="WX")
    quarter = quarter_of(timezone.localdate())
    sun = households["孙国强"]
    grant = households["grant"]
    extreme = Household.objects.filter(status="filed", tier="extreme").count()
    assert extreme >= 4  # 蒋建华 and the three added here

    # 1. 周敏 starts this quarter's batch and watches it compute.
    login(page, demo, "centre", DEMO_PASSWORD)
    nav(page, "发放批次")
    expect(page.get_by_label("发放期")).to_have_value(quarter.key)
    expect(page.get_by_label("资金所属工会")).to_have_value(str(wuxi.pk))
    screenshot(page, "money-01-batch-list-start")
    progress = page.locator("#batch-progress")
    count = progress.locator("[data-role=count]")
    bar = progress.locator("[data-role=bar]")
    with transaction.atomic():
        # The test holds the approved grant's row lock, as a concurrent transaction would: the worker
        # computes every program's chunks, then waits at the grants step — the bar stops part-way.
        list(Grant.objects.select_for_update().filter(pk=grant.pk))
        with page.expect_navigation():
            page.get_by_test_id("start-batch").click()
        # First what it will do: the period, the programs, the households and the estimated total.
        preview = page.get_by_test_id("batch-preview")
        expect(preview.get_by_test_id("preview-period")).to_contain_text(quarter.key)
        expect(preview).to_contain_text("生活补贴")
        expect(page.get_by_test_id("confirm-late")).to_have_count(0)  # this quarter: not a 补发
        screenshot(page, "money-01b-batch-confirm")
        with page.expect_navigation():
            page.get_by_test_id("confirm-start").click()
        expect(page.locator(".alert-success")).to_contain_text(f"已发起 {quarter.key} 发放批次，正在后台计算。")
        expect(progress).to_contain_text("正在计算…")
        batch = Batch.objects.get(union=wuxi, period=quarter.key)

        def paused_at_grants():
            # Progress steps: one statement per id range (every due program at once), the grants,
            # then one payment pass per id range — paused after the first ranges.
            batch.refresh_from_db()
            ranges = (batch.total_chunks - 1) // 2
            return batch.total_chunks and batch.done_chunks == ranges

        wait_for(paused_at_grants)
        assert batch.status == Batch.Status.RUNNING and 0 < batch.done_chunks < batch.total_chunks
        expect(count).to_have_text(f"{batch.done_chunks} / {batch.total_chunks}")
        expect(bar).to_have_text(f"{batch.progress_percent}%")
        expect(progress.get_by_role("progressbar")).to_have_attribute("aria-valuenow", str(batch.progress_percent))
        expect(page.get_by_test_id("batch-status")).to_have_text("计算中")
        screenshot(page, "money-02-batch-computing")
    # Released: the worker finishes, and the page reloads itself with the summary.
    status = page.get_by_test_id("batch-status")
    expect(status).to_have_text("待审批", timeout=60_000)
    expect(progress).to_have_count(0)
    batch.refresh_from_db()
    total = Payment.objects.filter(batch=batch).aggregate(t=Sum("amount"))["t"]
    expect(page.get_by_test_id("batch-total")).to_have_text(f"{total:.2f}")
    by_program = page.get_by_test_id("by-program")
    expect(by_program.locator("tr", has_text="生活补贴").locator("td")).to_have_text(
        ["生活补贴", str(extreme), f"{350 * extreme}.00", "—"]
    )
    expect(by_program.locator("tr", has_text="一次性医疗补贴").locator("td")).to_have_text(
        ["一次性医疗补贴", "1", "2000.00", "—"]
    )
    expect(page.get_by_test_id("by-union")).to_contain_text("滨湖区总工会")
    expect(page.get_by_test_id("payments")).to_contain_text("孙国强")
    expect(page.get_by_test_id("decision")).to_contain_text("您发起了这个批次，需由另一位资金审批人审批。")
    screenshot(page, "money-03-batch-computed-summary")
    page.context.clear_cookies()

    # 2. 赵国平 approves it and downloads each bank's file.
    login(page, demo, "approver", DEMO_PASSWORD)
    nav(page, "发放批次")
    with page.expect_navigation():
        page.get_by_role("link", name=quarter.key).click()
    expect(page.get_by_test_id("decision")).to_contain_text(f"从 {quarter.year} 年度资金中支出 {total:.2f} 元")
    expect(page.get_by_test_id("approval-total")).to_contain_text(f"{total:.2f}")
    screenshot(page, "money-04-approver-sees-batch")
    page.get_by_test_id("approve-checked").check()
    with page.expect_navigation():
        page.get_by_test_id("approve-batch").click()
    expect(page.locator(".alert-success")).to_contain_text("批次已审批，收款人信息已锁定，可以下载银行文件。")
    expect(status).to_have_text("已审批")
    banks = page.get_by_test_id("banks")
    expect(banks.locator("tbody tr")).to_have_count(2)
    sun_payments = Payment.objects.filter(batch=batch, household=sun).count()
    expect(banks.locator("tr", has_text=CCB).locator("td").nth(1)).to_have_text(str(sun_payments))
    screenshot(page, "money-05-approved-bank-files")
    files = {}
    for bank in (ICBC, CCB):
        with page.expect_download() as info:
            banks.locator("tr", has_text=bank).get_by_role("link", name=f"下载{bank}代发文件（Excel）").click()
        download = info.value
        assert download.suggested_filename == f"batch-{batch.pk}-{quarter.key}-{bank}.xlsx"
        files[bank] = read_xlsx(download, tmp_path)
    assert files[CCB][0] == ["参考号", "收款人姓名", "银行卡号", "金额", "开户银行", "摘要"]
    assert {r[1] for r in files[CCB][1:]} == {"孙国强"} and {r[2] for r in files[CCB][1:]} == {CLOSED_CARD}
    assert f"{quarter.key} 生活补贴" in {r[5] for r in files[CCB][1:]}
    icbc_names = {r[1] for r in files[ICBC][1:]}
    assert {"蒋建华", "钱秀兰", "周桂芳"} <= icbc_names and "孙国强" not in icbc_names
    # The amount is a number cell (shown as 2000.00): exact to the fen.
    assert [Decimal(r[3]) for r in files[ICBC][1:] if r[5].endswith("一次性医疗补贴")] == [Decimal("2000.00")]
    paid_rows = sum(len(rows) - 1 for rows in files.values())
    assert paid_rows == Payment.objects.filter(batch=batch).count()
    page.reload()
    expect(status).to_have_text("已导出银行文件")

    # 3. The bank's result: 孙国强's account was closed; every other payment arrived.
    result = tmp_path / "银行回盘.csv"
    with result.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["参考号", "结果", "原因"])
        for bank, rows in files.items():
            for row in rows[1:]:
                writer.writerow([row[0], "失败", REASON] if bank == CCB else [row[0], "成功", ""])
    page.get_by_label("银行结果文件（.csv 或 .xlsx）").set_input_files(str(result))
    screenshot(page, "money-06-result-file-chosen")
    with page.expect_navigation():
        page.get_by_test_id("reconcile").click()
    expect(page.locator(".alert-success")).to_contain_text(
        f"对账完成：到账 {paid_rows - sun_payments} 笔，失败 {sun_payments} 笔"
    )
    expect(status).to_have_text("已对账")
    failed_rows = page.get_by_test_id("payments").locator("tbody tr", has_text="孙国强")
    expect(failed_rows).to_have_count(sun_payments)
    screenshot(page, "money-07-reconciled")
    with page.expect_navigation():
        page.get_by_test_id("show-failed").click()
    expect(page.get_by_label("状态")).to_have_value("failed")
    failed_rows = page.get_by_test_id("payments").locator("tbody tr")
    expect(failed_rows).to_have_count(sun_payments)
    for i in range(sun_payments):
        expect(failed_rows.nth(i)).to_contain_text("孙国强")
        expect(failed_rows.nth(i)).to_contain_text("发放失败")
        expect(failed_rows.nth(i)).to_contain_text(REASON)
    screenshot(page, "money-07b-failed-payments")

    # The ledger: the batch paid out, the failure came back.
    nav(page, "资金台账")
    expect(page.locator("[data-testid=main-nav] .nav-link.active")).to_have_text("资金台账")  # one item, not two
    ledger = page.get_by_test_id("ledger")
    expect(ledger.locator("tr", has_text="批次发放")).to_contain_text(f"-{total:.2f}")
    reversals = ledger.locator("tbody tr", has_text="冲回")
    expect(reversals).to_have_count(sun_payments)
    expect(reversals.first).to_contain_text(f"发放失败冲回：{REASON}")
    refunded = Payment.objects.filter(batch=batch, status="failed").aggregate(t=Sum("amount"))["t"]
    expect(page.get_by_test_id("balance")).to_have_text(f"{Decimal('500000') - total + refunded:.2f}")
    screenshot(page, "money-08-ledger-reversal")
    nav(page, "帮扶项目")
    living = page.locator(".card", has_text="生活补贴").first
    expect(living).to_contain_text("特困")
    expect(living).to_contain_text("350.00")
    screenshot(page, "money-09-programs")

    # The same pages on the approver's phone.
    phone = phone_page
    login(phone, demo, "approver", DEMO_PASSWORD)
    for name, url in [
        ("money-10-phone-batch", reverse("programs:batch_detail", args=[batch.pk])),
        ("money-10b-phone-batch-list", reverse("programs:batch_list")),
        ("money-11-phone-ledger", reverse("programs:ledger")),
        ("money-12-phone-grants", reverse("programs:grant_list")),
    ]:
        phone.goto(demo.url + url)
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name
        screenshot(phone, name)
    expect(phone.get_by_test_id("grants")).to_contain_text("已纳入批次")
    page.context.clear_cookies()

    # 4. The card is corrected. A filed file is not open to the edit form (no 编辑 button) and there is
    # no card-change service for filed households yet, so the test writes the new card with the ORM,
    # as the centre would after checking the worker's new bank card.
    login(page, demo, "centre", DEMO_PASSWORD)
    page.goto(demo.url + reverse("cases:household_detail", args=[sun.pk]))
    expect(page.get_by_role("link", name="编辑")).to_have_count(0)
    Household.objects.filter(pk=sun.pk).update(bank_card=NEW_CARD, bank_card_luhn_ok=True)

    # 5. The previous quarter's batch, a 补发 confirmed as such, re-issues his failed payments (on the new card,
    # once approved): next quarter has not begun and cannot be computed yet.
    following = quarter.previous()
    nav(page, "发放批次")
    page.get_by_label("发放期").fill(following.key)
    with page.expect_navigation():
        page.get_by_test_id("start-batch").click()
    expect(page.get_by_test_id("late-badge")).to_have_text("补发")
    page.get_by_test_id("confirm-late").check()
    screenshot(page, "money-12b-late-batch-confirm")
    with page.expect_navigation():
        page.get_by_test_id("confirm-start").click()
    expect(status).to_have_text("待审批", timeout=60_000)
    expect(metric(page, "补发笔数")).to_have_text(str(sun_payments))
    reissued = page.get_by_test_id("payments").locator("tbody tr", has=page.locator(".reissue-badge"))
    expect(reissued).to_have_count(sun_payments)
    for i in range(sun_payments):
        expect(reissued.nth(i)).to_contain_text("孙国强")
        expect(reissued.nth(i)).to_contain_text("待审批")
    expect(reissued.first).to_contain_text(f"{NEW_CARD[:4]} **** **** {NEW_CARD[-4:]}")  # his new card, to be locked
    screenshot(page, "money-13-next-quarter-reissue")
    next_batch = Batch.objects.get(union=wuxi, period=following.key)
    assert Payment.objects.filter(batch=next_batch, household=sun, entitlement__batch=batch).count() == sun_payments
    nav(page, "发放批次")
    expect(page.locator("[data-testid=main-nav] .nav-link.active")).to_have_text("发放批次")
    batches = page.get_by_test_id("batches")
    expect(batches.locator("tbody tr", has_text=quarter.key)).to_contain_text("已对账")
    expect(batches.locator("tbody tr", has_text=following.key)).to_contain_text("待审批")
    screenshot(page, "money-14-batch-list")

    # A new figure for 生活补贴: the form offers the next quarter's first day (a date input shows it).
    nav(page, "帮扶项目")
    page.locator(".card", has_text="生活补贴").first.get_by_role("link", name="调整标准").click()
    expect(page.get_by_label("生效日期")).to_have_value(quarter.next().start.isoformat())
    screenshot(page, "money-15-standard-form")
    page.context.clear_cookies()

    # 6. 赵国平 puts the budget of the next batch's year in, and approves: the new card is locked.
    login(page, demo, "approver", DEMO_PASSWORD)
    nav(page, "资金台账")
    allocate = page.get_by_test_id("allocate")
    allocate.get_by_label("年度").fill(str(following.year))
    allocate.get_by_label("拨入金额（元）").fill("300000")
    allocate.get_by_label("摘要").fill(f"{following.year} 年度帮扶资金预算")
    with page.expect_navigation():
        allocate.get_by_role("button", name="拨入预算").click()
    expect(page.locator(".alert-success")).to_contain_text("预算已拨入。")
    expect(page.get_by_test_id("ledger")).to_contain_text(f"{following.year} 年度帮扶资金预算")
    screenshot(page, "money-16-ledger-next-year-budget")
    page.goto(demo.url + reverse("programs:batch_detail", args=[next_batch.pk]))
    page.get_by_test_id("approve-checked").check()
    with page.expect_navigation():
        page.get_by_test_id("approve-batch").click()
    expect(status).to_have_text("已审批")
    reissued = page.get_by_test_id("payments").locator("tbody tr", has=page.locator(".reissue-badge"))
    expect(reissued.first).to_contain_text("已审批")
    expect(reissued.first).to_contain_text(f"{NEW_CARD[:4]} **** **** {NEW_CARD[-4:]}")
    expect(page.get_by_test_id("banks").locator("tr", has_text=CCB)).to_be_visible()
    screenshot(page, "money-17-next-quarter-approved")
