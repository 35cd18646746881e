"""A district must never see another district's unions: lists, counts and detail pages."""

import pytest
from django.urls import reverse

from hardship.access import scope_unions
from hardship.models import Role
from hardship.services import role_assign
from tests.factories import UnionFactory, user_with_role

pytestmark = pytest.mark.django_db


def test_district_staff_list_only_their_own_subtree(client, tree, in_scope_user):
    client.force_login(in_scope_user)

    response = client.get(reverse("hardship:union_list"))

    names = {u.name for u in response.context["page"].object_list}
    assert names == {"惠山区总工会", "堰桥街道总工会", "海溪公司工会"}
    assert "滨湖区总工会" not in response.content.decode()
    assert "无锡市总工会" not in {u.name for u in response.context["page"].object_list}


def test_district_staff_count_excludes_sibling_and_parent(client, tree, in_scope_user):
    client.force_login(in_scope_user)

    response = client.get(reverse("hardship:union_list"))

    assert response.context["total"] == 3
    assert "您的辖区内共 3 个工会" in response.content.decode()


def test_search_cannot_reach_a_sibling_union(client, tree, in_scope_user):
    client.force_login(in_scope_user)

    response = client.get(reverse("hardship:union_list"), {"q": "蠡湖"})

    assert response.context["total"] == 0
    assert "没有符合条件的工会" in response.content.decode()


def test_a_long_union_list_is_one_card_with_a_footer_that_pages_and_keeps_the_search(client, tree, observer):
    for n in range(30):
        UnionFactory(name=f"堰桥第{n:02d}联合工会", parent=tree["yanqiao"])
    client.force_login(observer)

    body = client.get(reverse("hardship:union_list"), {"q": "堰桥"}).content.decode()

    assert body.count('class="card-footer bg-white"') == 1 and "empty-state" not in body
    assert "共 31 条，第 1 / 2 页" in body  # 30 and 堰桥街道总工会 itself
    assert "?q=%E5%A0%B0%E6%A1%A5&amp;page=2" in body


@pytest.mark.parametrize("target", ["binhu", "lihu", "city"])
def test_district_staff_cannot_open_a_sibling_or_parent_union(client, tree, in_scope_user, target):
    client.force_login(in_scope_user)

    response = client.get(reverse("hardship:union_detail", args=[tree[target].pk]))

    assert response.status_code == 404


def test_district_staff_open_a_union_below_them(client, tree, in_scope_user):
    client.force_login(in_scope_user)

    response = client.get(reverse("hardship:union_detail", args=[tree["company"].pk]))

    assert response.status_code == 200
    assert "海溪公司工会" in response.content.decode()


def test_union_detail_lists_only_children_in_scope(client, tree, observer):
    client.force_login(observer)

    response = client.get(reverse("hardship:union_detail", args=[tree["city"].pk]))

    assert {c.name for c in response.context["children"]} == {"惠山区总工会", "滨湖区总工会"}


def test_city_observer_sees_every_union(client, tree, observer):
    client.force_login(observer)

    response = client.get(reverse("hardship:union_list"))

    assert response.context["total"] == 6


def test_user_with_two_assignments_sees_both_subtrees_and_no_more(tree):
    user = user_with_role(Role.CASEWORKER, tree["yanqiao"])
    role_assign(actor=None, user=user, union=tree["lihu"], role=Role.CASEWORKER)

    names = set(scope_unions(user).values_list("name", flat=True))

    assert names == {"堰桥街道总工会", "海溪公司工会", "蠡湖街道总工会"}


def test_an_empty_list_of_roles_gives_no_union_not_every_union(tree):
    # A caller that took every role out of its list (say, the union-wide readers of a third-party
    # reviewer) must get nothing; only ``roles=None`` means "any role".
    user = user_with_role(Role.CENTRE_STAFF, tree["huishan"])

    assert list(scope_unions(user, ())) == []
    assert scope_unions(user, None).count() == 3


def test_a_prefix_of_digits_is_not_a_subtree(db):
    """Union 7001's path "7001/" must not take in union 70012's "70012/"."""
    from hardship.models import Union

    short = Union.objects.create(pk=7001, name="甲", code="A", level=Union.Level.CITY, path="7001/")
    Union.objects.create(pk=70012, name="乙", code="B", level=Union.Level.CITY, path="70012/")
    user = user_with_role(Role.CENTRE_STAFF, short)

    assert list(scope_unions(user)) == [short]


def test_enterprise_contact_cannot_open_the_union_tree(client, tree):
    contact = user_with_role(Role.ENTERPRISE_CONTACT, tree["company"])
    client.force_login(contact)

    assert client.get(reverse("hardship:union_list")).status_code == 403


def test_user_without_any_role_sees_an_explanation_not_an_error(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory())

    response = client.get(reverse("my_work"))

    assert response.status_code == 200
    assert "尚未被授予任何角色" in response.content.decode()
    assert client.get(reverse("hardship:union_list")).status_code == 403


def test_a_union_names_its_ancestors_root_first_and_its_root(tree):
    company, city = tree["company"], tree["city"]

    assert company.ancestor_ids == [city.pk, tree["huishan"].pk, tree["yanqiao"].pk, company.pk]
    assert (company.root_id, city.root_id, city.ancestor_ids) == (city.pk, city.pk, [city.pk])
