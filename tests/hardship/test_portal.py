"""Navigation by role, the language switch, the health endpoint and the demo data."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from hardship.models import AuditEvent, Role, Union, User
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def _nav_labels(response) -> list[str]:
    return [str(item["label"]) for item in response.context["nav_items"]]


def test_grassroots_staff_see_their_navigation_but_not_the_audit_log(client, tree):
    client.force_login(user_with_role(Role.GRASSROOTS_STAFF, tree["company"]))

    labels = _nav_labels(client.get(reverse("my_work")))

    assert "我的工作" in labels and "组织机构" in labels
    assert "审计日志" not in labels


def test_the_menu_the_apps_register_keeps_its_order_for_a_user_with_every_role(client, tree):
    # The entries come from three apps' ready(); the page shows them in the one order of the bands.
    user = user_with_role(Role.CENTRE_STAFF, tree["city"])
    from hardship.services import role_assign

    for role in (Role.FUND_APPROVER, Role.GRASSROOTS_STAFF):
        role_assign(actor=None, user=user, union=tree["city"], role=role)
    client.force_login(user)

    assert _nav_labels(client.get(reverse("my_work"))) == [
        "我的工作", "家庭档案", "审核待办", "公示", "申诉投诉", "档案库", "认定标准", "信息比对", "存量导入",
        "关爱·圆梦", "发放批次", "帮扶项目", "资金台账", "追回款", "数据看板", "我的导出", "组织机构", "审计日志",
    ]  # fmt: skip


def test_an_enterprise_contact_sees_only_work_study_in_the_menu(client, tree):
    client.force_login(user_with_role(Role.ENTERPRISE_CONTACT, tree["company"]))

    assert _nav_labels(client.get(reverse("my_work"))) == ["我的工作", "关爱·圆梦"]


def test_observer_navigation_includes_the_audit_log(client, observer):
    client.force_login(observer)

    assert "审计日志" in _nav_labels(client.get(reverse("my_work")))


def test_my_work_has_one_section_per_role_held(client, tree):
    user = user_with_role(Role.CASEWORKER, tree["yanqiao"])
    from hardship.services import role_assign

    role_assign(actor=None, user=user, union=tree["huishan"], role=Role.DISCIPLINE_OBSERVER)
    client.force_login(user)

    sections = client.get(reverse("my_work")).context["sections"]

    assert [s.role for s in sections] == [Role.CASEWORKER, Role.DISCIPLINE_OBSERVER]


def test_english_switch_translates_the_interface(client, observer):
    client.force_login(observer)

    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(reverse("my_work"))

    body = response.content.decode()
    assert "My work" in body
    assert 'lang="en"' in body


def test_chinese_is_the_default_language(client, observer):
    client.force_login(observer)

    body = client.get(reverse("my_work")).content.decode()

    assert 'lang="zh-hans"' in body
    assert "我的工作" in body


def test_the_language_switch_works_on_the_login_page(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")}, follow=True)

    assert "Log in" in response.content.decode()


def test_health_reports_the_database(client, db):
    response = client.get(reverse("health"))

    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_seed_demo_is_idempotent_and_its_logins_work(client, capsys):
    call_command("seed_demo")
    counts = (Union.objects.count(), User.objects.count(), AuditEvent.objects.filter(verb="role.assign").count())
    call_command("seed_demo")

    assert (
        Union.objects.count(),
        User.objects.count(),
        AuditEvent.objects.filter(verb="role.assign").count(),
    ) == counts
    out = capsys.readouterr().out
    assert "Demo@2026" in out and "grassroots" in out
    assert client.post(reverse("login"), {"username": "huishan", "password": "Demo@2026"}).status_code == 302
    assert Union.objects.get(code="WX-HS-YQ-01").path.startswith(Union.objects.get(code="WX").path)
    # 互助保障 can be enrolled on a demo file: the seeds' two plans exist, once each.
    from cases.support.models import MutualCoverPlan

    assert MutualCoverPlan.objects.count() == 2
