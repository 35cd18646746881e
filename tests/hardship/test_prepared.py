"""hardship.prepared: a queryset compiled once per shape answers as Django's own compile would."""

import logging
from datetime import date

import pytest
from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from hardship.models import Union
from hardship.prepared import PreparedQuery

pytestmark = pytest.mark.django_db


def _children_counted(*, pk: int):
    children = Union.objects.filter(parent_id=OuterRef("pk")).order_by().values("parent_id")
    return (
        Union.objects.filter(pk=pk, is_active=True)
        .select_related("parent")
        .annotate(child_count=Coalesce(Subquery(children.annotate(n=Count("pk")).values("n")[:1]), 0))
    )


def test_a_prepared_query_returns_what_the_queryset_returns_for_every_value(tree):
    prepared = PreparedQuery("test_children", _children_counted, args=["pk"])
    for union in Union.objects.all():
        got = prepared.fetch(pk=union.pk)
        want = list(_children_counted(pk=union.pk))
        assert [(u.pk, u.name, u.parent_id, u.child_count) for u in got] == [
            (u.pk, u.name, u.parent_id, u.child_count) for u in want
        ]
        assert got[0].parent == union.parent  # select_related populated, no further query
    assert prepared.fetch(pk=10**9) == []  # no row is no row, not the last one's
    assert len(prepared._shapes) == 1  # one compile served them all
    assert tree["city"].pk != tree["company"].pk


def test_a_value_that_moves_between_compiles_is_never_frozen_into_the_statement(tree, caplog):
    """A builder that reads the clock compiles every time: its rows follow the clock."""
    prepared = PreparedQuery(
        "test_clock", lambda pk: Union.objects.filter(pk=pk).annotate(seen=Value(timezone.now())), args=["pk"]
    )
    with caplog.at_level(logging.WARNING, logger="hardship.prepared"):
        first = prepared.fetch(pk=tree["city"].pk)[0].seen
        second = prepared.fetch(pk=tree["city"].pk)[0].seen
    assert second > first
    assert "compiles every time" in caplog.text


def test_todays_date_is_part_of_every_shape(tree, monkeypatch):
    """A builder that reads today's date gets a new statement the next day."""
    prepared = PreparedQuery(
        "test_today",
        lambda pk: Union.objects.filter(pk=pk).annotate(day=Value(timezone.localdate())),
        args=["pk"],
    )
    assert prepared.fetch(pk=tree["city"].pk)[0].day == timezone.localdate()
    monkeypatch.setattr(timezone, "localdate", lambda *args: date(2031, 5, 6))
    assert prepared.fetch(pk=tree["city"].pk)[0].day == date(2031, 5, 6)


def test_a_constant_left_out_of_the_key_is_caught_by_the_check(tree, settings):
    """The test settings compare every run with Django's own compile: a forgotten key is an error, not stale rows."""
    level = {"value": Union.Level.CITY}
    prepared = PreparedQuery("test_hidden", lambda pk: Union.objects.filter(pk=pk, level=level["value"]), args=["pk"])
    assert [u.pk for u in prepared.fetch(pk=tree["city"].pk)] == [tree["city"].pk]
    level["value"] = Union.Level.DISTRICT
    with pytest.raises(AssertionError, match="differs from its compile"):
        prepared.fetch(pk=tree["huishan"].pk)
    settings.PREPARED_QUERIES_CHECK = False
    assert prepared.fetch(pk=tree["huishan"].pk) == []  # what the check is there to prevent


def test_only_integers_and_texts_are_substituted(tree):
    """A model instance (or any other kind of value) is compiled as Django compiles it, every time."""
    prepared = PreparedQuery("test_kinds", lambda parent: Union.objects.filter(parent=parent), args=["parent"])
    assert {u.pk for u in prepared.fetch(parent=tree["city"])} == {tree["huishan"].pk, tree["binhu"].pk}
    assert prepared._shapes == {}
    named = PreparedQuery("test_text", lambda name: Union.objects.filter(name=name), args=["name"])
    assert [u.pk for u in named.fetch(name="惠山区总工会")] == [tree["huishan"].pk]
    assert [u.pk for u in named.fetch(name="滨湖区总工会")] == [tree["binhu"].pk]
    assert len(named._shapes) == 1


def test_a_pk_url_is_the_reversed_url_for_every_pk():
    from django.urls import NoReverseMatch, reverse

    from hardship.navigation import pk_url

    for pk in (1, 7, 42, 10**9, 7_300_000_001):
        assert pk_url("cases:household_detail", pk) == reverse("cases:household_detail", args=[pk])
    with pytest.raises(NoReverseMatch):
        pk_url("my_work", 1)  # a URL without a pk fails as reverse() would
