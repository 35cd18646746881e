"""The dashboard's cached summary: refreshed by a Celery task, read per union subtree, replaced whole."""

import re
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from cases.models import Household
from hardship.models import Role
from programs.reports import selectors
from programs.reports.models import DashboardSnapshot, HouseholdTally
from programs.reports.services import dashboard_summary_refresh
from programs.reports.tasks import refresh_dashboard_summary
from tests.factories import user_with_role
from tests.reports.conftest import TODAY

pytestmark = pytest.mark.django_db

NOW = datetime(TODAY.year, TODAY.month, TODAY.day, 10, 0, tzinfo=ZoneInfo(settings.TIME_ZONE))


def _live(user) -> dict:
    return {
        "breakdown": selectors.household_breakdown(user=user),
        "flow": selectors.monthly_flow(user=user, today=TODAY),
        "exits": selectors.exit_figures(user=user, year=TODAY.year, today=TODAY),
        "money": selectors.money_by_quarter(user=user, today=TODAY),
    }


@pytest.mark.parametrize("who", ["in_scope_user", "out_of_scope_user", "observer"])
def test_the_refreshed_summary_shows_the_same_figures_as_the_live_queries(dataset, request, who):
    user = request.getfixturevalue(who)
    dashboard_summary_refresh(now=NOW)

    figures = selectors.dashboard_figures(user=user, now=NOW + timedelta(minutes=5))

    assert figures["snapshot"] is not None and figures["as_of"] == TODAY
    assert {key: figures[key] for key in ("breakdown", "flow", "exits", "money")} == _live(user)


def test_the_summary_gives_a_district_only_its_own_subtree(dataset, in_scope_user, out_of_scope_user):
    dashboard_summary_refresh(now=NOW)

    huishan = selectors.dashboard_figures(user=in_scope_user, now=NOW)
    binhu = selectors.dashboard_figures(user=out_of_scope_user, now=NOW)

    assert (huishan["breakdown"]["total"], huishan["breakdown"]["filed"]) == (6, 2)
    assert huishan["exits"].rate_percent == "50.0%" and huishan["money"]["rows"][0]["total"] == Decimal("1900.00")
    assert (binhu["breakdown"]["total"], dict(binhu["breakdown"]["tier"])) == (1, {"特困": 1})
    assert {r["label"]: r["filed"] for r in binhu["flow"] if r["filed"]} == {"2026-05": 1}
    assert (binhu["exits"].filed_in_year, binhu["exits"].exits) == (1, 0)
    assert binhu["money"]["rows"] == [{"quarter": "2026-Q2", "cells": [Decimal("350.00")], "total": Decimal("350.00")}]


def test_a_new_refresh_replaces_the_stale_snapshot(dataset, tree):
    city_staff = user_with_role(Role.CENTRE_STAFF, tree["city"])
    first = dashboard_summary_refresh(now=NOW)
    Household.objects.filter(pk=dataset["H6"].pk).update(status="filed", tier="deep", main_cause="laid_off",
                                                         filed_at=TODAY)  # fmt: skip

    before = selectors.dashboard_figures(user=city_staff, now=NOW + timedelta(minutes=1))
    dashboard_summary_refresh(now=NOW + timedelta(minutes=10))
    after = selectors.dashboard_figures(user=city_staff, now=NOW + timedelta(minutes=11))
    third = dashboard_summary_refresh(now=NOW + timedelta(minutes=20))

    assert before["snapshot"] == first and before["breakdown"]["filed"] == 3  # H1, H2, H7: not yet H6
    assert after["breakdown"]["filed"] == 4 and dict(after["breakdown"]["tier"])["深度困难"] == 2
    assert after["flow"][-1] == {"month": TODAY.replace(day=1), "label": "2026-11", "filed": 1, "exited": 0}
    # The snapshot just replaced stays one round for pages still reading it; older ones are gone.
    assert list(DashboardSnapshot.objects.order_by("taken_at").values_list("taken_at", flat=True)) == [
        NOW + timedelta(minutes=10),
        NOW + timedelta(minutes=20),
    ]
    assert not HouseholdTally.objects.filter(snapshot_id=first.pk).exists()
    assert selectors.dashboard_figures(user=city_staff, now=NOW + timedelta(minutes=21))["snapshot"] == third


def test_a_snapshot_older_than_half_an_hour_is_shown_with_a_warning(client, dataset, in_scope_user):
    snapshot = dashboard_summary_refresh(now=timezone.now() - timedelta(hours=1))
    Household.objects.filter(pk=dataset["H6"].pk).update(status="filed", tier="deep", filed_at=TODAY)
    client.force_login(in_scope_user)

    page = client.get(reverse("reports:dashboard")).content.decode()

    # Not recomputed live on every page (seconds at a million households): the old figures, flagged.
    assert _freshness(page).startswith("数据更新于 ") and f"{timezone.localtime(snapshot.taken_at):%H:%M}（" in page
    assert 'data-testid="data-stale">数据未按时更新' in page
    assert 'data-testid="filed-households">2<' in page


def test_without_any_snapshot_the_figures_are_computed_live(dataset, in_scope_user):
    figures = selectors.dashboard_figures(user=in_scope_user, now=NOW)

    assert figures["snapshot"] is None
    assert {key: figures[key] for key in ("breakdown", "flow", "exits", "money")} == _live(in_scope_user)


def _freshness(page: str) -> str:
    return re.search(r'data-testid="data-freshness">([^<]*)<', page).group(1)


def test_the_page_says_when_its_figures_were_updated(client, dataset, in_scope_user):
    client.force_login(in_scope_user)
    assert _freshness(client.get(reverse("reports:dashboard")).content.decode()) == "实时计算"

    snapshot = dashboard_summary_refresh()
    page = client.get(reverse("reports:dashboard")).content.decode()

    assert _freshness(page).startswith(f"数据更新于 {timezone.localtime(snapshot.taken_at):%H:%M}（每 10 分钟更新")
    assert "data-stale" not in page
    assert "1900.00" in page and page.count("<svg") == 6 and "滨湖" not in page


def test_the_page_reads_the_snapshot_not_the_live_tables(client, dataset, in_scope_user):
    dashboard_summary_refresh()
    Household.objects.filter(pk=dataset["H6"].pk).update(status="filed", tier="deep", filed_at=TODAY)
    client.force_login(in_scope_user)

    page = client.get(reverse("reports:dashboard")).content.decode()

    assert 'data-testid="filed-households">2<' in page  # H6 shows from the next refresh


def test_the_beat_task_refreshes_the_summary_every_ten_minutes(dataset, in_scope_user):
    entry = settings.CELERY_BEAT_SCHEDULE["refresh-dashboard-summary"]

    snapshot_id = refresh_dashboard_summary.delay().get()

    assert entry["task"] == refresh_dashboard_summary.name
    assert sorted(entry["schedule"].minute) == [0, 10, 20, 30, 40, 50]
    figures = selectors.dashboard_figures(user=in_scope_user, now=timezone.now())
    assert figures["snapshot"].pk == snapshot_id and figures["breakdown"]["total"] == 6
