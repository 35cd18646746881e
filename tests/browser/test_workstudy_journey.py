"""关爱·圆梦 in a real browser: a caring enterprise posts a position on a phone, the city centre
registers a student, runs the matching and publishes, and the enterprise confirms the student
and records the earnings — on the phone again.

Uses the demo data (``seed_demo``): 郑海涛 (``enterprise``) is the login of 无锡海溪防腐设备有限公司,
周敏 (``centre``) runs the coming vacation's season at 无锡市总工会 (``season_dates``: e.g. 2027年寒假 when
seeded in December 2026), and 周子豪 (17 on its first day, a filed 特困 household) has not applied yet.
Screenshots of each step go to screenshots/workstudy-*.png.
"""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from hardship.demo import DEMO_PASSWORD
from hardship.models import AuditEvent
from programs.workstudy.demo import season_dates
from programs.workstudy.models import Placement, PlacementStatus, Season
from tests.browser.conftest import login, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(live_server):
    call_command("seed_demo", stdout=io.StringIO())
    return live_server


def open_work_study_on_a_phone(page):
    page.locator(".navbar-toggler").click()
    page.wait_for_selector("#mainNav.collapse.show")
    with page.expect_navigation():
        page.locator("[data-testid=main-nav]").get_by_role("link", name="关爱·圆梦").click()


def test_enterprise_posts_centre_matches_and_publishes_enterprise_confirms_and_records_earnings(page, phone_page, demo):
    phone = phone_page
    dates = season_dates()["season"]
    season = str(Season.objects.get(year=dates["year"], term=dates["term"]))  # e.g. 2027年寒假
    assert dates["starts_on"] > timezone.localdate(), "the demo season is in the coming vacation, not one already over"

    # 1. The enterprise, on a phone, posts a position in the open season.
    login(phone, demo, "enterprise", DEMO_PASSWORD)
    open_work_study_on_a_phone(phone)
    expect(phone.locator("h2")).to_contain_text("无锡海溪防腐设备有限公司")
    expect(phone.locator("[data-testid=my-positions]")).to_contain_text("防腐涂装辅助工")
    screenshot(phone, "workstudy-01-enterprise-home-phone")
    phone.locator("[data-testid=post-position]").first.click()
    expect(phone.locator("h1")).to_have_text("发布勤工助学岗位")
    phone.get_by_label("岗位名称").fill("质检员助理")
    phone.get_by_label("工作地点").fill("海溪公司质检室")
    phone.get_by_label("招收人数").fill("1")
    phone.get_by_label("报酬（元/月）").fill("2400")
    phone.get_by_label("每日工作时长（小时）").fill("8")
    phone.get_by_label("专业要求").fill("机械、化工类")
    phone.get_by_label("工作内容").fill("协助检验防腐涂层厚度，记录检验数据")
    screenshot(phone, "workstudy-02-post-position-phone")
    with phone.expect_navigation():
        phone.locator("[data-testid=save-position]").click()
    expect(phone.get_by_role("alert")).to_contain_text(f"岗位“质检员助理”已发布到{season}")
    expect(phone.locator("[data-testid=my-positions]")).to_contain_text("质检员助理")

    # 2. The centre registers 周子豪 with the new position as his first choice.
    login(page, demo, "centre", DEMO_PASSWORD)
    page.locator("[data-testid=main-nav]").get_by_role("link", name="关爱·圆梦").click()
    expect(page.locator("h1")).to_have_text("关爱·圆梦 勤工助学")
    page.get_by_role("link", name=season).click()
    expect(page.locator("[data-testid=position-table]")).to_contain_text("质检员助理")
    screenshot(page, "workstudy-03-season")
    page.get_by_role("link", name="困难家庭学生报名").click()
    member = page.locator("#id_member option", has_text="周子豪").get_attribute("value")
    page.locator("#id_member").select_option(member)
    page.get_by_label("学校").fill("无锡机电高等职业技术学校")
    page.get_by_label("专业").fill("机电一体化")
    wanted = page.locator("#id_pref_1 option", has_text="质检员助理").get_attribute("value")
    page.locator("#id_pref_1").select_option(wanted)
    screenshot(page, "workstudy-04-register-student")
    with page.expect_navigation():
        page.get_by_role("button", name="报名").click()
    expect(page.get_by_role("alert")).to_contain_text(f"周子豪 已报名{season}")

    # 3. … runs the matching, reads the explanations, and publishes.
    page.get_by_role("link", name="岗位").first.click()
    with page.expect_navigation():
        page.locator("[data-testid=run-matching]").click()
    expect(page.get_by_role("alert")).to_contain_text("结果已通过独立校验")
    expect(page.locator("[data-testid='result-周子豪']")).to_contain_text("按第 1 志愿安排。")
    expect(page.locator("[data-testid=result-table]")).to_contain_text("困难等级更高")
    screenshot(page, "workstudy-05-results")
    with page.expect_navigation():
        page.locator("[data-testid=publish-banner] [data-testid=publish]").click()
    expect(page.get_by_role("alert")).to_contain_text("对企业可见")
    expect(page.locator("[data-testid=season-status]").first).to_have_text("已发布")
    screenshot(page, "workstudy-06-published")

    # 4. The enterprise, on the phone, confirms 周子豪 (17: the health check is required) …
    phone.reload()
    student = phone.locator("[data-testid='student-周子豪']")
    expect(student).to_contain_text("待企业确认")
    screenshot(phone, "workstudy-07-enterprise-students-phone")
    student.click()
    expect(phone.locator("h1")).to_contain_text("周子豪")
    screenshot(phone, "workstudy-08-confirm-phone")
    with phone.expect_navigation():
        phone.locator("[data-testid=confirm]").click()
    expect(phone.locator(".alert-danger, .invalid-feedback, .alert")).to_contain_text("须完成健康检查")
    phone.get_by_label("已完成上岗前健康检查（未成年学生必须）").check()
    phone.get_by_label("结束日期").fill(dates["ends_on"].isoformat())
    with phone.expect_navigation():
        phone.locator("[data-testid=confirm]").click()
    expect(phone.get_by_role("alert")).to_contain_text("已确认 周子豪 上岗")

    # … and after the vacation records attendance, pay, an evaluation and an early hire.
    phone.get_by_label("出勤天数").fill("26")
    phone.get_by_label("实发报酬（元）").fill("2340.50")
    phone.get_by_label("企业评价").fill("踏实肯干，检验记录清楚")
    phone.get_by_label("提前录用（毕业后优先录用）").check()
    screenshot(phone, "workstudy-09-earnings-phone")
    with phone.expect_navigation():
        phone.locator("[data-testid=save-earnings]").click()
    expect(phone.get_by_role("alert")).to_contain_text("26 天，2340.50 元")
    expect(phone.locator("[data-testid=earnings]")).to_have_text("2340.50 元")
    screenshot(phone, "workstudy-10-completed-phone")

    placement = Placement.objects.get(application__name="周子豪")
    assert (placement.status, str(placement.earnings), placement.early_hire) == (
        PlacementStatus.COMPLETED,
        "2340.50",
        True,
    )
    verbs = set(AuditEvent.objects.filter(verb__startswith="workstudy.").values_list("verb", flat=True))
    assert {"workstudy.season.match", "workstudy.season.publish", "workstudy.placement.confirm"} <= verbs
    assert "workstudy.placement.earnings" in verbs

    # 5. The centre sees it in the season's statistics.
    page.goto(demo.url + f"/workstudy/seasons/{placement.season_id}/stats/")
    expect(page.locator("[data-testid=total-earnings]")).to_have_text("2340.50")
    screenshot(page, "workstudy-11-stats")
