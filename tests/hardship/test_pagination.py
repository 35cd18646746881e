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
