"""Pagination that stays fast on a million rows: the count stops at a cap.

Counting every matching row of a large table costs more than the page itself;
past ``CAP`` rows the page says "10000+" and still pages forward and back.

A count that reached the cap is remembered for ``CAPPED_SECONDS`` (the process's cache, keyed by
the count's own SQL and parameters): the page says "10000+" either way, and walking 10,001 index
entries on every page of a city's list was most of the database's time for it. A count under the
cap is never remembered: a file just added or closed shows at once.
"""

import hashlib

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property

CAP = 10_000
CAPPED_SECONDS = 60


class CappedPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if hasattr(rows, "order_by") and not rows.query.distinct:
            # The order does not change how many rows there are, but kept inside the capped
            # subquery it makes the planner walk the ORDER BY index (-id) and filter row by
            # row; without it the count takes the filter's own index.
            rows = rows.order_by()
        if hasattr(rows, "values") and not rows.query.distinct and not rows.query.combinator:
            # Only the key counted: the page's joins for what it shows (select_related) and its columns stay out.
            rows = rows.values("pk")
        capped = rows[: CAP + 1]
        if not hasattr(capped, "query"):
            return len(capped)
        sql, params = capped.query.sql_with_params()
        key = "capped-count:" + hashlib.sha256(repr((capped.db, sql, params)).encode()).hexdigest()
        if cache.get(key):
            return CAP + 1
        # The capped rows' own SQL, just compiled for the key, counted as Django's count() of a slice counts
        # it (SELECT COUNT(*) FROM (… LIMIT 10001)): not compiled a second time.
        with connections[capped.db].cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({sql}) capped", params)  # noqa: S608 — Django's own SQL
            count = cursor.fetchone()[0]
        if count > CAP:
            cache.set(key, True, CAPPED_SECONDS)
        return count

    @property
    def capped(self) -> bool:
        return self.count > CAP


def paginate(queryset, page_number, per_page: int = 25):
    return CappedPaginator(queryset, per_page).get_page(page_number)
