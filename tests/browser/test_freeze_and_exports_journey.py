"""A city's approval and exports in the browser: the payees frozen after the approval, a retry, 我的导出.

赵国平 (``approver``) approves a batch large enough for the worker to freeze it: the page says so and the
bank files wait; the freeze fails, the page offers 重新锁定收款人, and after it the bank files are there.
周敏 (``centre``) exports the household list, which is written by the task: 我的导出 offers the file
(on a phone too), and the download is hers only. Screenshots: screenshots/freeze-*.png and export-*.png,
copied to /tmp/shots-money/.
"""

import io
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from hardship.demo import DEMO_PASSWORD
from hardship.models import AuditEvent, ExportJob, Union, User
from programs.assistance import services
from programs.assistance.balances import approval_figures
from programs.assistance.batch import batch_compute
from programs.assistance.models import Batch, Payment
from programs.assistance.periods import quarter_of
from tests.browser.conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

SHOTS = Path("/tmp/shots-money")


def shot(page, name):
    path = screenshot(page, name)
    SHOTS.mkdir(exist_ok=True)
    shutil.copy(path, SHOTS / path.name)


@pytest.fixture
def demo(live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FREEZE_INLINE_MAX_PAYMENTS = 0  # the demo's batch is frozen by the task
    settings.EXPORT_INLINE_MAX_ROWS = 0  # and its household list exported by the task
    call_command("seed_demo", stdout=io.StringIO())
    return live_server


class _NotYet:
    """The freeze task, not sent yet: the page shows the approved, not yet frozen batch."""

    name = "programs.assistance.tasks.freeze_batch"

    def apply_async(self, **options):
        pass


def test_the_approval_then_the_freeze_then_a_retry_then_the_bank_files(page, demo, monkeypatch):
    fund = Union.objects.get(code="WX")
    centre = User.objects.get(username="centre")
    batch = Batch.objects.create(union=fund, period=quarter_of(timezone.localdate()).key, created_by=centre)
    batch_compute(batch_id=batch.pk)
    approver = User.objects.get(username="approver")
    real = services.freeze_batch
    monkeypatch.setattr(services, "freeze_batch", _NotYet())
    services.batch_approve(actor=approver, batch_id=batch.pk, confirmed_total=approval_figures(batch=batch).total)
    login(page, demo, "approver", DEMO_PASSWORD)
    url = demo.url + reverse("programs:batch_detail", args=[batch.pk])

    page.goto(url)
    expect(page.get_by_test_id("batch-freeze")).to_contain_text("等待锁定收款人")
    expect(page.get_by_test_id("bank-xlsx")).to_have_count(0)
    shot(page, "freeze-1-approved-waiting")

    Batch.objects.filter(pk=batch.pk).update(freeze=Batch.Freeze.FAILED, freeze_error="OperationalError: 连接中断")
    page.goto(url)
    expect(page.get_by_test_id("batch-freeze")).to_contain_text("收款人锁定失败")
    shot(page, "freeze-2-failed-retry")
    monkeypatch.setattr(services, "freeze_batch", real)  # eager here: the retry runs the freeze at once
    with page.expect_navigation():
        page.locator("[data-action=freeze_retry]").click()

    expect(page.get_by_test_id("batch-freeze")).to_have_count(0)
    expect(page.get_by_test_id("bank-xlsx").first).to_be_visible()
    shot(page, "freeze-3-frozen-bank-files")
    assert not Payment.objects.filter(batch=batch, status=Payment.Status.PENDING).exists()


def test_a_household_export_is_written_by_the_task_and_offered_in_my_exports(page, phone_page, demo, tmp_path):
    login(page, demo, "centre", DEMO_PASSWORD)
    page.goto(demo.url + reverse("cases:household_list"))

    with page.expect_navigation():
        page.get_by_role("link", name="导出当前列表").click()

    expect(page.get_by_test_id("exports")).to_contain_text("家庭档案")
    shot(page, "export-1-my-exports")
    with page.expect_download() as info:
        page.get_by_test_id("export-download").first.click()
    path = tmp_path / "export.xlsx"
    info.value.save_as(path)
    assert path.stat().st_size > 1000
    assert AuditEvent.objects.filter(verb="export.download", actor__username="centre").count() == 1

    login(phone_page, demo, "centre", DEMO_PASSWORD)
    phone_page.goto(demo.url + reverse("hardship:export_list"))
    expect(phone_page.get_by_test_id("export-download").first).to_be_visible()
    shot(phone_page, "export-2-my-exports-phone")

    job = ExportJob.objects.get()
    phone_page.context.clear_cookies()  # signed out: another user of the same city now
    login(phone_page, demo, "approver", DEMO_PASSWORD)
    response = phone_page.goto(demo.url + reverse("hardship:export_download", args=[job.pk]))
    assert response.status == 404
