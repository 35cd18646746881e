"""The capped count: past the cap it is remembered for a minute; under it, always counted afresh."""

import pytest

from hardship import pagination
from hardship.models import Union
from tests.factories import UnionFactory

pytestmark = pytest.mark.django_db


def _count(queryset) -> int:
    return pagination.CappedPaginator(queryset.order_by("id"), 2).count


def test_a_count_past_the_cap_is_remembered_and_one_under_it_is_not(tree, monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(pagination, "CAP", 3)
    everything = Union.objects.all()  # the tree's six unions
    with django_assert_num_queries(1):
        assert _count(everything) == 4  # "3+"
    with django_assert_num_queries(0):
        assert _count(everything) == 4
    small = Union.objects.filter(parent=tree["city"])
    assert _count(small) == 2
    UnionFactory(name="新吴区总工会", parent=tree["city"])
    with django_assert_num_queries(1):
        assert _count(small) == 3  # a new row shows at once under the cap


def test_another_filter_is_another_count(tree, monkeypatch):
    monkeypatch.setattr(pagination, "CAP", 3)
    assert _count(Union.objects.all()) == 4
    assert _count(Union.objects.filter(name__startswith="惠山")) == 1


def test_the_count_reads_only_the_key_not_the_pages_joins(tree):
    # A list page joins what its rows show (the union's name); counting its rows needs none of it.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cases.models import Household
    from cases.services import household_create
    from hardship.models import Role
    from tests.cases.conftest import household_data, person
    from tests.factories import user_with_role

    grassroots = user_with_role(Role.GRASSROOTS_STAFF, tree["company"])

    household_create(actor=grassroots, union=tree["company"], data=household_data(), members=[person()])
    rows = Household.objects.select_related("union").only("head_name", "union__name").order_by("-id")
    with CaptureQueriesContext(connection) as queries:
        assert pagination.CappedPaginator(rows, 25).count == 1
    (count,) = [q["sql"] for q in queries.captured_queries]
    assert "COUNT" in count.upper() and "JOIN" not in count.upper() and "head_name" not in count
