"""Demo data of the platform: 无锡市总工会 with districts, streets, grassroots unions and one user per role.

Idempotent: running it again leaves the same unions and users (passwords reset
to the demo one, lockouts cleared). ``manage.py seed_demo`` (programs) calls
this first, then the demo data of the apps above; it prints the logins.
"""

from axes.utils import reset

from hardship.holidays import load_arrangements
from hardship.models import CalendarDay, Role, SocialOrganisation, Union, User
from hardship.services import role_assign, union_create

DEMO_PASSWORD = "Demo@2026"

# (code, name, level, parent code)
UNIONS = [
    ("WX", "无锡市总工会", Union.Level.CITY, None),
    ("WX-HS", "惠山区总工会", Union.Level.DISTRICT, "WX"),
    ("WX-BH", "滨湖区总工会", Union.Level.DISTRICT, "WX"),
    ("WX-LX", "梁溪区总工会", Union.Level.DISTRICT, "WX"),
    ("WX-XW", "新吴区总工会", Union.Level.DISTRICT, "WX"),
    ("WX-HS-YQ", "堰桥街道总工会", Union.Level.STREET, "WX-HS"),
    ("WX-HS-LS", "洛社镇总工会", Union.Level.STREET, "WX-HS"),
    ("WX-BH-LH", "蠡湖街道总工会", Union.Level.STREET, "WX-BH"),
    ("WX-BH-HL", "河埒街道总工会", Union.Level.STREET, "WX-BH"),
    ("WX-LX-CN", "崇安寺街道总工会", Union.Level.STREET, "WX-LX"),
    ("WX-HS-YQ-01", "无锡海溪防腐设备有限公司工会", Union.Level.GRASSROOTS, "WX-HS-YQ"),
    ("WX-HS-YQ-02", "堰桥精密机械有限公司工会", Union.Level.GRASSROOTS, "WX-HS-YQ"),
    ("WX-HS-LS-01", "洛社纺织有限公司工会", Union.Level.GRASSROOTS, "WX-HS-LS"),
    ("WX-BH-LH-01", "蠡湖科技园联合工会", Union.Level.GRASSROOTS, "WX-BH-LH"),
    ("WX-BH-HL-01", "河埒社区联合工会", Union.Level.GRASSROOTS, "WX-BH-HL"),
    ("WX-LX-CN-01", "崇安寺商业街联合工会", Union.Level.GRASSROOTS, "WX-LX-CN"),
]

SOCIAL_ORGANISATION = "无锡市益家社会工作服务中心"

# (username, full name, role, union code, note)
USERS = [
    ("grassroots", "王丽华", Role.GRASSROOTS_STAFF, "WX-HS-YQ-01", "基层工会：受理申请、初审"),
    ("caseworker", "陈建国", Role.CASEWORKER, "WX-HS-YQ", "街道：入户走访"),
    # 海溪公司工会 has one 干事 (grassroots), who may not review what she entered: the street
    # union's 干事 gives its 初审, as street unions do for small enterprise unions.
    ("street", "徐卫民", Role.GRASSROOTS_STAFF, "WX-HS-YQ", "堰桥街道工会干事：为小微企业工会初审"),
    ("reviewer", "刘思雨", Role.THIRD_PARTY_REVIEWER, "WX", "第三方社会组织：复审"),
    ("centre", "周敏", Role.CENTRE_STAFF, "WX", "市帮扶中心：派单、建档、发放批次"),
    ("huishan", "钱志刚", Role.CENTRE_STAFF, "WX-HS", "惠山区帮扶中心：只看惠山区"),
    ("binhu", "孙晓燕", Role.CENTRE_STAFF, "WX-BH", "滨湖区帮扶中心：只看滨湖区"),
    ("approver", "赵国平", Role.FUND_APPROVER, "WX", "市总：审批资金批次"),
    ("observer", "吴静", Role.DISCIPLINE_OBSERVER, "WX", "市总纪检组：只读、可陪同走访"),
    ("enterprise", "郑海涛", Role.ENTERPRISE_CONTACT, "WX-HS-YQ-01", "爱心企业：发布勤工助学岗位"),
    ("admin", "系统管理员", Role.SYSTEM_ADMIN, "WX", "系统管理"),
]


def seed_unions_and_users() -> dict[str, Union]:
    """The demo union tree and one user per role; returns the unions by code."""
    unions: dict[str, Union] = {}
    for code, name, level, parent_code in UNIONS:
        union = Union.objects.filter(code=code).first()
        if union is None:
            union = union_create(actor=None, name=name, code=code, level=level, parent=unions.get(parent_code))
        unions[code] = union

    organisation, _ = SocialOrganisation.objects.get_or_create(
        name=SOCIAL_ORGANISATION,
        defaults={"contracted_by": unions["WX"], "contact_name": "刘思雨", "contact_phone": "0510-82700000"},
    )

    for username, full_name, role, union_code, _note in USERS:
        user, _ = User.objects.get_or_create(username=username, defaults={"full_name": full_name})
        user.full_name = full_name
        user.is_active = True
        user.is_staff = user.is_superuser = role == Role.SYSTEM_ADMIN
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["full_name", "is_active", "is_staff", "is_superuser", "password"])
        role_assign(
            actor=None,
            user=user,
            union=unions[union_code],
            role=role,
            organisation=organisation if role == Role.THIRD_PARTY_REVIEWER else None,
        )
    reset()  # a demo that was locked out by mistyped passwords opens again
    load_arrangements(CalendarDay)  # the holiday calendar (a flushed test database lost the migration's rows)
    return unions


def demo_logins(unions: dict[str, Union]) -> list[str]:
    """The login lines the command prints: user name, password, role @ union (note)."""
    lines = [f"  {'用户名':<12}{'密码':<12}角色 @ 工会"]
    for username, _full_name, role, union_code, note in USERS:
        lines.append(f"  {username:<12}{DEMO_PASSWORD:<12}{Role(role).label} @ {unions[union_code].name}（{note}）")
    return lines
