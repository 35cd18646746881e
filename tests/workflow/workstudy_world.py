"""One 关爱·圆梦 world for the four work-study harnesses: seasons in every state, positions, students, placements.

惠山区 runs the seasons (own), under 无锡市 (parent), beside 滨湖区 (sibling). Three enterprises: 海溪 (海溪公司
工会, under 惠山) and 永舜 (堰桥, under 惠山) with a login each, and 蠡湖's (under 滨湖) whose login is the
outsider. Built once per test (the four machines share it).
"""

from datetime import date
from decimal import Decimal
from itertools import count

from cases.models import Household, Status
from hardship.models import Role, User
from programs.workstudy import services
from programs.workstudy.models import Term
from tests.factories import user_with_role
from tests.workstudy import conftest as workstudy_conftest
from tests.workstudy.conftest import filed_student, make_position, register

INSURED = {
    "agreement_signed_on": date(2025, 12, 18),
    "insurer": "中国人民财产保险股份有限公司无锡市分公司",
    "insurance_policy": "PICC-2026-0009",
    "insurance_valid_from": date(2026, 1, 1),
    "insurance_valid_until": date(2030, 12, 31),
}
_WORLDS: dict = {}


class World:
    pass


def world(tree) -> World:
    key = (id(tree), tree["city"].pk)
    if key not in _WORLDS:
        _WORLDS.clear()
        _WORLDS[key] = _build(tree)
    return _WORLDS[key]


def _season(centre, tree, year, term, starts, ends):
    return services.season_create(actor=centre, union=tree["huishan"], year=year, term=term, starts_on=starts,
                                  ends_on=ends)  # fmt: skip


def _build(tree) -> World:
    w = World()
    centre = user_with_role(Role.CENTRE_STAFF, tree["huishan"])
    personas = {
        "centre@own": centre,
        "centre@parent": user_with_role(Role.CENTRE_STAFF, tree["city"]),
        "centre@sibling": user_with_role(Role.CENTRE_STAFF, tree["binhu"]),
        "admin@own": user_with_role(Role.SYSTEM_ADMIN, tree["huishan"]),
        "observer@city": user_with_role(Role.DISCIPLINE_OBSERVER, tree["city"]),
        "grassroots@company": user_with_role(Role.GRASSROOTS_STAFF, tree["company"]),
        "contact_a": user_with_role(Role.ENTERPRISE_CONTACT, tree["company"]),
        "contact_b": user_with_role(Role.ENTERPRISE_CONTACT, tree["yanqiao"]),
        "contact_outside": user_with_role(Role.ENTERPRISE_CONTACT, tree["lihu"]),
    }
    w.enterprise_a = services.enterprise_create(actor=centre, union=tree["company"], contacts=[personas["contact_a"]],
                                                data={"name": "无锡海溪防腐设备有限公司", **INSURED})  # fmt: skip
    w.enterprise_b = services.enterprise_create(actor=centre, union=tree["yanqiao"], contacts=[personas["contact_b"]],
                                                data={"name": "无锡永舜机械有限公司", **INSURED})  # fmt: skip
    city_centre = personas["centre@parent"]
    w.enterprise_outside = services.enterprise_create(
        actor=city_centre, union=tree["lihu"], contacts=[personas["contact_outside"]],
        data={"name": "蠡湖电子有限公司", **INSURED})  # fmt: skip
    w.by_user_enterprise = {personas["contact_a"].pk: w.enterprise_a, personas["contact_b"].pk: w.enterprise_b,
                            personas["contact_outside"].pk: w.enterprise_outside}  # fmt: skip
    # ID sequences of their own: the other harnesses' files use the low ones.
    workstudy_conftest._sequence = count(700)
    names = iter(range(1, 100))

    def student(tier="extreme"):
        return filed_student(tree["company"], birth=date(2005, 3, 1), tier=tier, name=f"钱{next(names)}",
                             level="university")  # fmt: skip

    # Open: positions posted, no one registered yet (a student waits, for 报名).
    w.open = _season(centre, tree, 2027, Term.WINTER, date(2027, 1, 25), date(2027, 2, 26))
    w.open_position = make_position(centre, w.open, w.enterprise_a, title="资料整理", places=2)
    w.withdrawn = make_position(centre, w.open, w.enterprise_b, title="前台接待", places=1)
    services.position_withdraw(actor=centre, position_id=w.withdrawn.pk)
    w.open.student = student()
    w.open.position = w.open_position

    # Matched: one placed, one left over, one left out (no longer filed), one registered after the matching.
    w.matched = _season(centre, tree, 2027, Term.SUMMER, date(2027, 7, 12), date(2027, 8, 27))
    w.full = make_position(centre, w.matched, w.enterprise_a, title="仓库管理助理", places=1)
    w.roomy = make_position(centre, w.matched, w.enterprise_b, title="车间统计", places=5)
    w.placed = register(centre, w.matched, student(), [w.full])
    w.unplaced = register(centre, w.matched, student("relative"), [w.full])
    left_out = student()
    w.excluded = register(centre, w.matched, left_out, [w.full])
    Household.objects.filter(pk=left_out.household_id).update(status=Status.EXITED)
    services.season_run_matching(actor=centre, season_id=w.matched.pk)
    w.pending = register(centre, w.matched, student(), [w.roomy])
    w.matched.student, w.matched.position = student(), w.roomy

    # Published: three students at one position; one confirmed, one paid.
    w.published = _season(centre, tree, 2026, Term.SUMMER, date(2026, 7, 13), date(2026, 8, 28))
    w.published_position = make_position(centre, w.published, w.enterprise_a, title="质检助理", places=3)
    w.published_apps = [register(centre, w.published, student(), [w.published_position]) for _ in range(3)]
    services.season_run_matching(actor=centre, season_id=w.published.pk)
    services.season_publish(actor=centre, season_id=w.published.pk)
    placements = [a.placements.get() for a in w.published_apps]
    for placement in placements[1:]:
        services.placement_confirm(actor=centre, placement_id=placement.pk, starts_on=w.published.starts_on,
                                   ends_on=w.published.ends_on, health_checked=True)  # fmt: skip
    services.placement_record_earnings(actor=centre, placement_id=placements[2].pk, days_attended=20,
                                       earnings=Decimal("2000"))  # fmt: skip
    w.published.student, w.published.position = student(), w.published_position

    # Closed: run, published and closed with nobody in it.
    w.closed = _season(centre, tree, 2028, Term.WINTER, date(2028, 1, 24), date(2028, 2, 25))
    services.season_run_matching(actor=centre, season_id=w.closed.pk)
    services.season_publish(actor=centre, season_id=w.closed.pk)
    services.season_close(actor=centre, season_id=w.closed.pk)
    w.closed.student, w.closed.position = student(), None

    w.personas = {name: User.objects.get(pk=user.pk) for name, user in personas.items()}  # fresh role caches
    return w
