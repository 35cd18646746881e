"""Querysets compiled once and run many times: an ORM-level prepared statement for the hot pages.

Building a queryset's SQL costs Django far more CPU than running it: the household file's main row
(its scope, three joined tables, two subqueries) takes ~2.8 ms to compile and ~0.1 ms to run, on
every page, in every worker — most of the page's time besides the template. A ``PreparedQuery``
compiles its queryset once per *shape* and then only swaps the values in::

    FILE_ROW = PreparedQuery("household_file_row", lambda pk, user: household_queryset(user=user)…filter(pk=pk))
    FILE_ROW.fetch(pk=42, user=request.user, key=scope_fingerprint(request.user))

How it stays right:

- The builder is the same function the unprepared path calls: the rows come from the queryset's own
  SQL and its own model iteration (select_related, annotations, converters), never a hand-written copy.
- The values that vary (``args``: integers such as a pk or a user id) are found in the compiled
  parameters by compiling **twice** with two different sets of sentinel values: a position that
  follows the sentinels is that argument's slot; a position that stays equal is a constant of the
  shape. Anything else — the SQL text changing, a value that moves between the two compiles (a
  ``timezone.now()`` in the builder), a constant that looks like a sentinel — and the query is not
  prepared: it is compiled every time, as before (and logged once).
- Whatever else a constant depends on must be in ``key`` (e.g. the user's role assignments, which
  give the scope's union paths). Today's date is always part of it, so a builder that reads
  ``localdate()`` gets a new statement at midnight.
- The cache is per process, bounded, and thread-safe; each run gets a fresh compiler on the calling
  thread's own connection. ``fetch`` returns a plain list: nothing can chain a new query onto the
  prepared one (its queryset holds the sentinels).
- With ``PREPARED_QUERIES_CHECK`` on (the test settings), every run also compiles the builder's
  queryset with the real values and refuses to answer if the SQL or parameters differ: the whole
  test suite checks each prepared query against Django's own compile.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import QuerySet
from django.utils import timezone

logger = logging.getLogger(__name__)

# Far below any primary key or count the portal stores; the two sets differ from each other. A text
# argument (an audit event's target id) gets a text no row holds.
_SENTINELS = (-7_300_000_001, -7_400_000_001)


def _sentinel(base: int, index: int, kind: type):
    return base - index if kind is int else f"\x00prepared{base - index}"


MAX_SHAPES = 1024


@dataclass(frozen=True)
class _Compiled:
    template: QuerySet  # the first compile's queryset: cloned per run for its model and iteration
    sql: str
    slots: tuple[tuple[bool, Any], ...]  # per parameter: (True, arg name) or (False, constant)
    select: Any
    klass_info: Any
    annotation_col_map: Any
    col_count: int
    has_extra_select: bool

    def params(self, values: dict[str, int]) -> tuple:
        return tuple(values[item] if is_arg else item for is_arg, item in self.slots)


_UNPREPARABLE = object()


class PreparedQuery:
    def __init__(self, name: str, build: Callable[..., QuerySet], *, args: Sequence[str]):
        self.name = name
        self.build = build
        self.args = tuple(args)
        self._shapes: dict[Hashable, _Compiled | object] = {}
        self._lock = threading.Lock()

    def fetch(self, *, key: Hashable = (), **kwargs) -> list:
        """The rows of ``build(**kwargs)``, as ``list(build(**kwargs))`` would return them."""
        values = {name: kwargs[name] for name in self.args}
        kinds = tuple(type(value) for value in values.values())
        if not all(kind in (int, str) for kind in kinds):
            return list(self.build(**kwargs))
        shape_key = (key, kinds, timezone.localdate())
        compiled = self._shapes.get(shape_key)
        if compiled is None:
            compiled = self._compile(kwargs, kinds)
            with self._lock:
                if len(self._shapes) >= MAX_SHAPES:
                    self._shapes.clear()
                self._shapes[shape_key] = compiled
        if compiled is _UNPREPARABLE:
            return list(self.build(**kwargs))
        if getattr(settings, "PREPARED_QUERIES_CHECK", False):
            self._check(compiled, values, kwargs)
        return list(self._run(compiled, values))

    def _check(self, compiled: _Compiled, values: dict[str, int], kwargs: dict) -> None:
        queryset = self.build(**kwargs)
        expected = queryset.query.get_compiler(using=queryset.db).as_sql()
        got = (compiled.sql, compiled.params(values))
        if (expected[0], tuple(expected[1])) != got:
            raise AssertionError(f"prepared query {self.name} differs from its compile: {got!r} != {expected!r}")

    def _compile(self, kwargs: dict, kinds: tuple[type, ...]) -> _Compiled | object:
        compiles = []
        for base in _SENTINELS:
            sentinels = {
                name: _sentinel(base, index, kind)
                for index, (name, kind) in enumerate(zip(self.args, kinds, strict=True))
            }
            queryset = self.build(**(kwargs | sentinels))
            compiler = queryset.query.get_compiler(using=queryset.db)
            sql, params = compiler.as_sql()
            compiles.append((queryset, compiler, sentinels, sql, tuple(params)))
        (queryset, compiler, first, sql, params), (_, _, second, sql2, params2) = compiles
        all_sentinels = set(first.values()) | set(second.values())
        slots = []
        reason = "" if sql == sql2 and len(params) == len(params2) else "the SQL changes with the values"
        for one, two in zip(params, params2, strict=False) if not reason else ():
            name = next((name for name in self.args if one == first[name] and two == second[name]), None)
            if name is not None:
                slots.append((True, name))
            elif one == two and not (isinstance(one, int | str) and one in all_sentinels):
                slots.append((False, one))
            else:
                reason = f"a parameter moves between compiles ({one!r} / {two!r})"
                break
        found = {name for is_arg, name in slots if is_arg}
        if not reason and found != set(self.args):
            reason = f"arguments not found in the parameters: {sorted(set(self.args) - found)}"
        if reason:
            logger.warning("prepared query %s compiles every time: %s", self.name, reason)
            return _UNPREPARABLE
        return _Compiled(
            template=queryset,
            sql=sql,
            slots=tuple(slots),
            select=compiler.select,
            klass_info=compiler.klass_info,
            annotation_col_map=compiler.annotation_col_map,
            col_count=compiler.col_count,
            has_extra_select=compiler.has_extra_select,
        )

    @staticmethod
    def _run(compiled: _Compiled, values: dict[str, int]) -> QuerySet:
        queryset = compiled.template._chain()
        query = queryset.query
        sql, params = compiled.sql, compiled.params(values)

        def get_compiler(using=None, connection=None, elide_empty=True):
            connection = connection or connections[using]
            compiler = connection.ops.compiler("SQLCompiler")(query, connection, using, elide_empty)
            compiler.select = compiled.select
            compiler.klass_info = compiled.klass_info
            compiler.annotation_col_map = compiled.annotation_col_map
            compiler.col_count = compiled.col_count
            compiler.has_extra_select = compiled.has_extra_select
            compiler.as_sql = lambda *args, **kwargs: (sql, params)
            return compiler

        query.get_compiler = get_compiler
        return queryset
