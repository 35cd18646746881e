"""After publishing: the enterprise confirms and records earnings; every state change locks its row and is audited."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext

from hardship.models import AuditEvent
from programs.workstudy import services
from programs.workstudy.models import Enterprise, Placement, PlacementStatus, Position, Season, SeasonStatus

from .conftest import filed_student, make_position, register


@pytest.fixture
def locks(monkeypatch):
    """Records the model of every select_for_update() (SQLite ignores the lock itself, so spy on the call)."""
    locked = []
    original = QuerySet.select_for_update

    def spy(self, *args, **kwargs):
        locked.append(self.model)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "select_for_update", spy)
    return locked


@pytest.fixture
def matched_season(centre, season, enterprise_a, tree):
    office = make_position(centre, season, enterprise_a, title="行政文员助理")
    register(centre, season, filed_student(tree["company"], birth=date(2007, 5, 16), name="王小琪"), [office])
    services.season_run_matching(actor=centre, season_id=season.pk)
    return season


@pytest.fixture
def published(centre, matched_season):
    services.season_publish(actor=centre, season_id=matched_season.pk)
    return Placement.objects.get(season=matched_season)


@pytest.fixture
def confirmed(contact_a, published):
    return services.placement_confirm(
        actor=contact_a, placement_id=published.pk, starts_on=date(2026, 1, 26), ends_on=date(2026, 2, 24)
    )


def events(verb):
    return AuditEvent.objects.filter(verb=verb)


def test_publishing_locks_the_season_and_writes_an_audit_event(centre, matched_season, locks):
    services.season_publish(actor=centre, season_id=matched_season.pk)

    assert Season in locks
    event = events("workstudy.season.publish").get()
    assert (event.actor, event.target_id, event.changes["status"]) == (
        centre,
        str(matched_season.pk),
        [SeasonStatus.MATCHED, SeasonStatus.PUBLISHED],
    )


def test_running_the_matching_locks_the_season_and_its_positions_and_is_audited(centre, season, enterprise_a, locks):
    make_position(centre, season, enterprise_a)
    locks.clear()

    services.season_run_matching(actor=centre, season_id=season.pk)

    assert Season in locks and Position in locks
    assert events("workstudy.season.match").filter(target_id=str(season.pk)).exists()


def test_confirming_locks_the_placement_and_writes_an_audit_event(contact_a, published, locks):
    services.placement_confirm(
        actor=contact_a, placement_id=published.pk, starts_on=date(2026, 1, 26), ends_on=date(2026, 2, 24)
    )

    assert Placement in locks
    event = events("workstudy.placement.confirm").get()
    assert (event.actor, event.changes["status"]) == (contact_a, ["published", "confirmed"])


def test_recording_earnings_locks_the_placement_and_writes_an_audit_event(contact_a, confirmed, locks):
    services.placement_record_earnings(
        actor=contact_a, placement_id=confirmed.pk, days_attended=26, earnings="2340.50", evaluation="认真负责"
    )

    assert Placement in locks
    event = events("workstudy.placement.earnings").get()
    assert event.changes["earnings"] == [None, "2340.50"]


def test_earnings_are_stored_as_decimal_money(contact_a, confirmed):
    services.placement_record_earnings(actor=contact_a, placement_id=confirmed.pk, days_attended=26, earnings="2340.5")

    confirmed.refresh_from_db()
    assert (confirmed.earnings, confirmed.status) == (Decimal("2340.50"), PlacementStatus.COMPLETED)


def test_a_correction_of_earnings_is_audited_with_old_and_new(contact_a, confirmed):
    services.placement_record_earnings(actor=contact_a, placement_id=confirmed.pk, days_attended=26, earnings="2300")

    services.placement_record_earnings(actor=contact_a, placement_id=confirmed.pk, days_attended=26, earnings="2400")

    assert events("workstudy.placement.earnings").first().changes == {"earnings": ["2300.00", "2400.00"]}


def test_early_hire_is_recorded(contact_a, confirmed):
    services.placement_record_earnings(
        actor=contact_a, placement_id=confirmed.pk, days_attended=20, earnings="2000", early_hire=True
    )

    assert Placement.objects.get(pk=confirmed.pk).early_hire


def test_more_days_than_the_placement_lasted_are_refused(contact_a, confirmed):
    with pytest.raises(ValidationError, match="出勤天数应在 0 至 30 天之间"):
        services.placement_record_earnings(actor=contact_a, placement_id=confirmed.pk, days_attended=31, earnings="1")


def test_negative_earnings_are_refused(contact_a, confirmed):
    with pytest.raises(ValidationError, match="报酬不能为负数"):
        services.placement_record_earnings(actor=contact_a, placement_id=confirmed.pk, days_attended=3, earnings="-5")


def test_earnings_cannot_be_recorded_before_the_enterprise_confirms(contact_a, published):
    with pytest.raises(ValidationError, match="不能登记报酬"):
        services.placement_record_earnings(actor=contact_a, placement_id=published.pk, days_attended=3, earnings="300")


def test_a_minor_is_confirmed_only_with_the_health_check(centre, season, enterprise_a, contact_a, tree):
    office = make_position(centre, season, enterprise_a, title="行政文员助理")
    register(centre, season, filed_student(tree["company"], birth=date(2008, 9, 1)), [office])
    services.season_run_matching(actor=centre, season_id=season.pk)
    services.season_publish(actor=centre, season_id=season.pk)
    placement = Placement.objects.get(season=season)

    with pytest.raises(ValidationError, match="须完成健康检查"):
        services.placement_confirm(
            actor=contact_a, placement_id=placement.pk, starts_on=date(2026, 1, 26), ends_on=date(2026, 2, 20)
        )
    services.placement_confirm(
        actor=contact_a, placement_id=placement.pk, starts_on=date(2026, 1, 26), ends_on=date(2026, 2, 20),
        health_checked=True,
    )  # fmt: skip
    assert Placement.objects.get(pk=placement.pk).status == PlacementStatus.CONFIRMED


def test_confirming_needs_insurance_covering_the_dates(contact_a, published, enterprise_a):
    Enterprise.objects.filter(pk=enterprise_a.pk).update(insurance_valid_until=date(2026, 2, 1))

    with pytest.raises(ValidationError, match="保险未覆盖上岗期间"):
        services.placement_confirm(
            actor=contact_a, placement_id=published.pk, starts_on=date(2026, 1, 26), ends_on=date(2026, 2, 24)
        )


def test_confirming_refuses_dates_outside_the_season(contact_a, published):
    with pytest.raises(ValidationError, match="应在本期 2026-01-26 至 2026-02-27 之间"):
        services.placement_confirm(
            actor=contact_a, placement_id=published.pk, starts_on=date(2026, 1, 20), ends_on=date(2026, 2, 24)
        )


def test_another_enterprise_cannot_confirm_the_student(contact_b, enterprise_b, published):
    with pytest.raises(PermissionDenied):
        services.placement_confirm(
            actor=contact_b, placement_id=published.pk, starts_on=date(2026, 1, 26), ends_on=date(2026, 2, 24)
        )


def test_a_placement_is_confirmed_once(contact_a, confirmed):
    with pytest.raises(ValidationError, match="不能确认上岗"):
        services.placement_confirm(
            actor=contact_a, placement_id=confirmed.pk, starts_on=date(2026, 1, 26), ends_on=date(2026, 2, 24)
        )


@pytest.mark.parametrize(
    ("verb", "action"),
    [
        ("workstudy.position.withdraw", lambda c, s, p: services.position_withdraw(actor=c, position_id=p.pk)),
        (
            "workstudy.position.update",
            lambda c, s, p: services.position_update(actor=c, position_id=p.pk, data={"places": 3}),
        ),
        ("workstudy.season.close", None),
    ],
)
def test_other_state_changes_are_audited(centre, season, enterprise_a, verb, action):
    position = make_position(centre, season, enterprise_a)
    if action is None:
        services.season_run_matching(actor=centre, season_id=season.pk)
        services.season_publish(actor=centre, season_id=season.pk)
        services.season_close(actor=centre, season_id=season.pk)
    else:
        action(centre, season, position)

    assert events(verb).filter(actor=centre).exists()


@pytest.mark.postgres
def test_on_postgresql_confirming_selects_the_placement_for_update(contact_a, published):
    with CaptureQueriesContext(connection) as queries:
        services.placement_confirm(
            actor=contact_a, placement_id=published.pk, starts_on=date(2026, 1, 26), ends_on=date(2026, 2, 24)
        )

    assert any('FOR UPDATE OF "programs_placement"' in q["sql"] for q in queries.captured_queries)
