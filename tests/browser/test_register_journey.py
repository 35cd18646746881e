"""A city's register in the browser: 周明 uploads it, watches a real worker check it, reads the summary;
陈静, another centre user, approves it; the households are filed with their old numbers.
Screenshots: screenshots/register-*.png (and /tmp/shots-register/ when it exists).
"""

import shutil
from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from cases.models import Household, Status
from cases.register import tasks
from cases.register.engine import kind_of
from cases.register.workbook import register_xlsx
from hardship.identity import make_id_number
from hardship.models import Role
from tests.browser.conftest import PHONE, login, screenshot
from tests.cases.conftest import standard  # noqa: F401 — the city's standard, for the tier sample
from tests.factories import user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.celery_worker]

PASSWORD = "Secret#2026"
SHOTS = Path("/tmp/shots-register")


def _shot(page, name: str) -> None:
    path = screenshot(page, f"register-{name}")
    SHOTS.mkdir(exist_ok=True)
    shutil.copy(path, SHOTS / path.name)


@pytest.fixture
def worker(worker_factory, monkeypatch, settings, tmp_path):
    """A real Celery worker on a queue of its own, reading the uploaded files where the test server keeps them."""
    settings.MEDIA_ROOT = tmp_path / "media"
    _proc, queue = worker_factory(MEDIA_ROOT=settings.MEDIA_ROOT)
    for name in ("stage_register", "commit_register"):
        task = getattr(tasks, name)

        class OnThisQueue:  # what hardship.tasks.enqueue uses of a task
            def __init__(self, task):
                self.task, self.name = task, task.name

            def apply_async(self, **options):
                return self.task.apply_async(queue=queue, **options)

        monkeypatch.setattr(tasks, name, OnThisQueue(task))
    return queue


def _register(path: Path) -> None:
    rows = []
    for n in range(1, 4):
        rows.append({
            "户编号": n, "职工编号": f"WX2018-{n:04d}", "建档日期": f"2018-0{n}-15", "困难类别（原记录）": "特困",
            "上次复核日期": "2025-04-01", "与户主关系": "本人（户主）", "姓名": f"钱{'一二三'[n - 1]}",
            "身份证号": make_id_number("320206", date(1975, n, 1), 100 + n), "就业就学状况": "在职",
            "工资性收入（元/年）": 9000, "联系电话": f"1390510000{n}", "家庭住址": f"惠山区堰桥街道 {n} 号",
            "主要致困原因": "患重特大疾病", "开户银行": "中国工商银行", "银行卡号": "6222021234567890128",
        })  # fmt: skip
        rows.append({"户编号": n, "与户主关系": "子女", "姓名": f"钱小{n}", "就业就学状况": "在校学生",
                     "就学阶段": "初中", "身份证号": make_id_number("320206", date(2012, n, 1), 200 + n)})  # fmt: skip
    path.write_bytes(register_xlsx(kind_of("households"), rows))


def test_a_register_is_uploaded_checked_approved_by_a_second_user_and_filed_with_its_old_numbers(
    page,
    browser,
    live_server,
    worker,
    tree,
    standard,  # noqa: F811 — the fixture imported above
    tmp_path,
):
    district = tree["huishan"]
    user_with_role(Role.CENTRE_STAFF, district, username="zhouming", full_name="周明")
    user_with_role(Role.CENTRE_STAFF, district, username="chenjing", full_name="陈静")
    workbook = tmp_path / "惠山区存量档案.xlsx"
    _register(workbook)

    # 周明 opens 存量导入 from the menu and uploads the register for 堰桥街道
    login(page, live_server, "zhouming", PASSWORD)
    page.get_by_role("link", name="存量导入").first.click()
    page.select_option("#id_kind", "households")
    page.select_option("#id_union", str(tree["yanqiao"].pk))
    page.set_input_files("#id_file", str(workbook))
    _shot(page, "1-upload")
    with page.expect_navigation():
        page.get_by_role("button", name="上传并检查").click()

    # the page follows the worker's check, then shows the summary and the tier sample
    expect(page.get_by_test_id("register-status")).to_have_text("待复核", timeout=60_000)
    expect(page.get_by_test_id("count-new")).to_have_text("3")
    expect(page.get_by_test_id("tier-sample")).to_contain_text("WX2018-0001")
    expect(page.get_by_test_id("approve-reason")).to_contain_text("不能自己批准")  # the uploader may not
    _shot(page, "2-summary")

    # 陈静 approves it on the confirmation page
    other = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    second = other.new_page()
    login(second, live_server, "chenjing", PASSWORD)
    second.goto(live_server.url + page.url.removeprefix(live_server.url))
    second.get_by_role("link", name="批准入库").click()
    expect(second.get_by_test_id("approve-summary")).to_contain_text("新建 3 条")
    _shot(second, "3-confirm-phone")
    with second.expect_navigation():
        second.get_by_test_id("confirm-approve").click()
    expect(second.get_by_test_id("register-status")).to_have_text("已入库", timeout=60_000)
    expect(second.get_by_test_id("register-committed")).to_contain_text("新建 3 条")
    _shot(second, "4-committed-phone")
    other.close()

    # the files are filed with their old numbers and dates, and their history says where they came from
    household = Household.objects.get(file_number="WX2018-0002")
    assert (household.status, household.filed_at, household.member_count) == (Status.FILED, date(2018, 2, 15), 2)
    page.goto(live_server.url + reverse("cases:household_detail", args=[household.pk]))
    expect(page.locator("body")).to_contain_text("WX2018-0002")
    expect(page.locator("body")).to_contain_text("存量档案导入")
    _shot(page, "5-file")
