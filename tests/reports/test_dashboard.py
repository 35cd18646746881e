"""Every dashboard figure against the hand-computed dataset of tests/reports/conftest.py."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from hardship.models import AuditEvent, Role
from programs.reports import selectors
from programs.reports.charts import bar_chart
from tests.factories import user_with_role
from tests.reports.conftest import TODAY

pytestmark = pytest.mark.django_db


def test_households_by_status_tier_and_cause_count_only_the_users_unions(dataset, in_scope_user):
    figures = selectors.household_breakdown(user=in_scope_user)

    assert figures["total"] == 6 and figures["filed"] == 2
    assert dict(figures["status"]) == {"已提交": 1, "已建档": 2, "已脱困/解困": 3}
    assert dict(figures["tier"]) == {"特困": 1, "深度困难": 1}
    assert dict(figures["cause"]) == {"下岗失业": 1, "患重特大疾病": 1}


def test_the_city_sees_the_other_district_too(dataset, observer):
    figures = selectors.household_breakdown(user=observer)

    assert figures["total"] == 7 and dict(figures["tier"]) == {"特困": 2, "深度困难": 1}


def test_new_files_and_exits_per_month_cover_the_last_twelve_months(dataset, in_scope_user):
    flow = selectors.monthly_flow(user=in_scope_user, today=TODAY)

    assert [r["label"] for r in flow][0] == "2025-12" and flow[-1]["label"] == "2026-11"
    assert {r["label"]: r["filed"] for r in flow if r["filed"]} == {"2026-02": 1, "2026-03": 1}
    assert {r["label"]: r["exited"] for r in flow if r["exited"]} == {"2025-12": 1, "2026-04": 1, "2026-09": 1}


def test_the_exit_rate_is_exits_over_households_on_file_at_new_year_plus_filed_since(dataset, in_scope_user):
    figures = selectors.exit_figures(user=in_scope_user, year=2026, today=TODAY)

    assert (figures.on_file_at_start, figures.filed_in_year, figures.base) == (2, 2, 4)
    assert (figures.exits, figures.out_of_hardship, figures.relieved) == (2, 1, 1)
    assert figures.rate == Decimal("0.5000") and figures.rate_percent == "50.0%"
    assert figures.meets_target


def test_last_years_exit_rate_counts_last_years_households(dataset, in_scope_user):
    figures = selectors.exit_figures(user=in_scope_user, year=2025, today=TODAY)

    # On file on 1 Jan 2025: H3, H5; filed in 2025: H1; exited in 2025: H5.
    assert (figures.on_file_at_start, figures.filed_in_year, figures.exits) == (2, 1, 1)
    assert figures.rate_percent == "33.3%"


def test_money_per_quarter_and_program_counts_approved_exported_and_paid_only(dataset, in_scope_user):
    money = selectors.money_by_quarter(user=in_scope_user, today=TODAY)

    assert money["programs"] == ["一次性救助", "生活补贴"]
    assert money["rows"] == [
        {"quarter": "2026-Q2", "cells": [Decimal("1200.00"), Decimal("700.00")], "total": Decimal("1900.00")}
    ]


def test_the_dashboard_page_shows_each_chart_with_its_table_and_the_definition(client, dataset, in_scope_user):
    client.force_login(in_scope_user)

    response = client.get(reverse("reports:dashboard"))

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("<svg") == 6 and "暂无数据" not in page and "<script>" not in page and " style=" not in page
    for table in ("tier-table", "status-table", "cause-table", "flow-table", "money-table", "exit-table"):
        assert f'data-testid="{table}"' in page
    assert "脱困率 = 本年 1 月 1 日至今退出" in page
    assert "1900.00" in page and "滨湖" not in page


def test_an_enterprise_contact_cannot_open_the_dashboard(client, dataset, tree):
    client.force_login(user_with_role(Role.ENTERPRISE_CONTACT, tree["company"]))

    assert client.get(reverse("reports:dashboard")).status_code == 403


def test_the_nav_shows_the_dashboard_to_a_fund_approver(client, tree):
    client.force_login(user_with_role(Role.FUND_APPROVER, tree["city"]))

    assert "数据看板" in client.get(reverse("my_work")).content.decode()


def test_a_bar_chart_is_svg_with_attributes_and_escaped_labels():
    svg = bar_chart([("<b>", 3), ("乙", 1)], title="t")

    assert svg.startswith("<svg") and "&lt;b&gt;" in svg and "style=" not in svg
    assert svg.count("<rect") == 2 and 'height="160.0"' in svg


def test_the_quarterly_return_is_households_people_and_money_by_union_and_program(dataset, in_scope_user, client):
    rows = selectors.quarterly_return(user=in_scope_user, quarter="2026-Q2")

    assert rows == [
        {"union": "海溪公司工会", "program": "一次性救助", "households": 1, "people": 2, "money": Decimal("1200.00")},
        {"union": "海溪公司工会", "program": "生活补贴", "households": 2, "people": 3, "money": Decimal("700.00")},
    ]


def test_downloading_the_quarterly_return_is_an_audited_xlsx(dataset, in_scope_user, client):
    client.force_login(in_scope_user)

    response = client.get(reverse("reports:quarterly_return") + "?quarter=2026-Q2")

    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == ["工会", "帮扶项目", "户数", "人数", "金额（元）"]
    assert values[-1][:4] == ["合计", None, 3, 5] and Decimal(str(values[-1][4])) == Decimal("1900")
    assert AuditEvent.objects.filter(verb="reports.download", actor=in_scope_user).count() == 1


def test_the_yearly_exit_return_lists_each_union_and_the_total(dataset, in_scope_user, client):
    client.force_login(in_scope_user)

    response = client.get(reverse("reports:exit_return") + f"?year={date.today().year}")

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]][:3] == ["工会", "年初在档户数", "年内建档户数"]
    assert sheet.cell(row=sheet.max_row, column=1).value == "合计"
    assert AuditEvent.objects.filter(verb="reports.download").count() == 1


def test_the_exit_return_per_union(dataset, in_scope_user):
    rows = dict(selectors.exit_return(user=in_scope_user, year=2026, today=TODAY))

    assert (rows["海溪公司工会"].on_file_at_start, rows["海溪公司工会"].filed_in_year, rows["海溪公司工会"].exits) == (
        1,
        1,
        0,
    )
    assert (rows["堰桥街道总工会"].on_file_at_start, rows["堰桥街道总工会"].filed_in_year) == (1, 1)
    assert rows["堰桥街道总工会"].exits == 2 and "蠡湖街道总工会" not in rows


def test_a_bad_quarter_is_a_404(client, in_scope_user):
    client.force_login(in_scope_user)

    assert client.get(reverse("reports:quarterly_return") + "?quarter=2026-Q9").status_code == 404


def test_a_chart_without_data_says_so_instead_of_drawing_an_empty_frame():
    assert "暂无数据" in bar_chart([], title="t") and "<svg" not in bar_chart([], title="t")
