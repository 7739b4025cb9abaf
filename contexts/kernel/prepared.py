"""Queries written with the ORM, compiled to SQL once, run many times.

Building and compiling a QuerySet costs about 1 ms of Python on every request, several
times what the database then takes to answer a hot read (issue 15's profile: 25% of a
cold page). A PreparedQuery compiles its QuerySet once per database, with stand-in
values for its parameters, and afterwards only sends the SQL with the real values and
turns the rows into model instances as the ORM does (the same converters, deferred
fields and select_related objects), so that what it returns is what the QuerySet would.

    entry_at = PreparedQuery(
        lambda path, entry_id: Entry.objects.select_related("blog").filter(
            blog__path=path, pk=entry_id
        ),
        path=str,
        entry_id=int,
    )
    entries = entry_at(path="notes", entry_id=5)

Parameters are str, int or aware datetime values compared as they are (exact, lt, gte,
in a filter). A lookup that changes its value on the way (`contains`, `iexact`, ...)
cannot be prepared and is refused when the query is first compiled, as is a QuerySet
whose SQL does not end in the window a windowed query slices.
"""

import inspect
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, TypeVar, overload

from django.db import connections, router
from django.db.models import ForeignKey, Model, QuerySet
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, post_save, pre_init, pre_save
from django.db.models.sql.compiler import SQLCompiler

from contexts.kernel.sql import fetch_all, fetch_one, insert_statement, values_for_saving

M = TypeVar("M", bound=Model)

# Stand-ins nobody writes: control characters in a string, ids near 2**31 (in range of
# any integer column, so that the ORM keeps the condition), a date in 1901.
_STAND_IN_BASE = 2_000_000_000
_WINDOW_LOW, _WINDOW_HIGH = 1_900_000_000, 1_900_001_234
_WINDOW_SQL = "LIMIT %s OFFSET %s"
_TYPES = (str, int, datetime)


def _stand_in(kind: type, index: int) -> object:
    if kind is str:
        return f"\x1fprepared-{index}\x1f"
    if kind is int:
        return _STAND_IN_BASE + index
    if kind is datetime:
        return datetime(1901, 2, 3, 4, 5, 6, tzinfo=UTC) + timedelta(microseconds=index + 1)
    raise TypeError(f"a prepared query's parameters are {_TYPES}, not {kind!r}")


@dataclass(frozen=True)
class _Slot:
    index: int  # in the SQL's parameters
    name: str
    adapted: bool  # the backend takes this value adapted (SQLite: datetimes as text)


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[_Slot, ...]
    compiler: SQLCompiler
    make: Callable[[Any], Any]  # a row's instance, its related objects joined
    # The rows' converters (SQLite's datetimes...), found once: results_iter looks for
    # them on every call. None: a composite field, which results_iter alone handles.
    converters: dict[int, Any] | None


class PreparedQuery(Generic[M]):
    """A QuerySet made by `build(**parameters)`, compiled once per database alias.

    `parameters` name each argument of `build` and its type (str, int or datetime).
    With `window=True` each call also takes `offset` and `limit`, which slice the rows
    as `queryset[offset:offset + limit]` would.
    """

    def __init__(
        self, build: Callable[..., QuerySet[M]], *, window: bool = False, **parameters: type
    ) -> None:
        for name, kind in parameters.items():
            if kind not in _TYPES:
                raise TypeError(f"{name}: a prepared query's parameters are {_TYPES}")
        self._build = build
        self._parameters = parameters
        self._window = window
        self._compiled: dict[str, _Compiled] = {}
        self.model: type[M] = self._sample_queryset()[0].model

    def __call__(self, *, offset: int = 0, limit: int | None = None, **values: Any) -> list[M]:
        if values.keys() != self._parameters.keys():
            raise TypeError(f"expected the parameters {sorted(self._parameters)}")
        for name, kind in self._parameters.items():
            if not isinstance(values[name], kind) or isinstance(values[name], bool):
                raise TypeError(f"{name} must be {kind.__name__}, not {values[name]!r}")
        if self._window != (limit is not None):
            raise TypeError("a windowed query takes a limit; another takes none")
        alias = router.db_for_read(self.model)
        compiled = self._compiled.get(alias) or self._compile(alias)
        connection = connections[alias]
        params = list(compiled.params)
        for slot in compiled.slots:
            value = values[slot.name]
            if slot.adapted:
                value = connection.ops.adapt_datetimefield_value(value)
            params[slot.index] = value
        if limit is not None:
            params += [limit, offset]
        # kernel.sql: on PostgreSQL the statement prepared once per connection, its values
        # bound by the server (Django's cursor writes each into the SQL text), and outside
        # a transaction sent straight to libpq. Every request with a token runs one.
        rows: Any = fetch_all(alias, compiled.sql, params)
        make = compiled.make
        if compiled.converters is None:
            return [make(row) for row in compiled.compiler.results_iter([rows])]
        if compiled.converters:
            rows = compiled.compiler.apply_converters(rows, compiled.converters)
        return [make(row) for row in rows]

    # --- compiling -------------------------------------------------------------------

    def _sample_queryset(self) -> tuple[QuerySet[M], dict[str, object]]:
        stand_ins = {
            name: _stand_in(kind, index)
            for index, (name, kind) in enumerate(self._parameters.items())
        }
        queryset = self._build(**stand_ins)
        if self._window:
            queryset = queryset[_WINDOW_LOW:_WINDOW_HIGH]
        return queryset, stand_ins

    def _compile(self, alias: str) -> _Compiled:
        queryset, stand_ins = self._sample_queryset()
        connection = connections[alias]
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        if self._window:
            clause = connection.ops.limit_offset_sql(_WINDOW_LOW, _WINDOW_HIGH)
            if not sql.endswith(clause):
                raise ValueError(f"cannot prepare a window over: {sql}")
            sql = sql[: -len(clause)] + _WINDOW_SQL
        slots = []
        for name, stand_in in stand_ins.items():
            adapted = (
                connection.ops.adapt_datetimefield_value(stand_in)
                if isinstance(stand_in, datetime)
                else stand_in
            )
            found = [
                _Slot(index, name, adapted=value != stand_in)
                for index, value in enumerate(params)
                if value in (stand_in, adapted)
            ]
            if not found:
                raise ValueError(f"cannot prepare {name}: the query changes or drops its value")
            slots += found
        compiled = _Compiled(
            sql=sql,
            params=tuple(params),
            slots=tuple(slots),
            compiler=compiler,
            make=_row_maker(compiler, alias),
            converters=_converters(compiler),
        )
        self._compiled[alias] = compiled
        return compiled


def _converters(compiler: SQLCompiler) -> dict[int, Any] | None:
    """The converters results_iter would apply to the rows, or None if it does more."""
    selected = [column[0] for column in compiler.select[: compiler.col_count]]
    if compiler.has_composite_fields(selected):
        return None
    return compiler.get_converters(selected)


# --- instances ---------------------------------------------------------------------------
#
# Model.from_db builds an instance through Model.__init__ (signals sent, every field set
# through its descriptor): most of what a list's rows cost once the query was prepared.
# For a model that nothing hooks into, an instance is its state and the loaded fields'
# values, which is what from_db leaves in it; tests/blog/test_prepared.py holds the two
# equal.

_PLAIN_ATTRIBUTES = (DeferredAttribute, ForeignKeyDeferredAttribute)


def _plain(model: type[Model], init_list: Sequence[str]) -> bool:
    """Tell whether from_db would only store `init_list`'s values in a new instance."""
    return (
        model.__init__ is Model.__init__
        and model.from_db.__func__ is Model.from_db.__func__  # type: ignore[attr-defined]
        and not pre_init.has_listeners(model)
        and not post_init.has_listeners(model)
        and all(
            type(inspect.getattr_static(model, name, None)) in _PLAIN_ATTRIBUTES
            for name in init_list
        )
    )


def _maker(model: type[Model], init_list: Sequence[str], alias: str) -> Callable[[Any], Model]:
    """Return what makes an instance of `model` from the values of `init_list`, as
    model.from_db(alias, init_list, values) does."""
    names = tuple(init_list)
    if not _plain(model, names):
        return lambda values: model.from_db(alias, names, values)

    def make(values: Any) -> Model:
        state = ModelState()
        state.adding = False
        state.db = alias
        instance = model.__new__(model)
        instance.__dict__ = {"_state": state, **dict(zip(names, values, strict=True))}
        return instance

    return make


def _populator(populator: Any, alias: str) -> Callable[[Any, Model], None]:
    """Django's RelatedPopulator.populate (a select_related object and the ones joined
    to it, set on their owner), making its instances with _maker."""
    make = _maker(populator.model_cls, populator.init_list, alias)
    nested = [_populator(inner, alias) for inner in populator.related_populators]
    reorder, pk = populator.reorder_for_init, populator.pk_idx
    columns = slice(populator.cols_start, populator.cols_end)
    local, remote = populator.local_setter, populator.remote_setter

    def populate(row: Any, owner: Model) -> None:
        values = reorder(row) if reorder else row[columns]
        if values[pk] is None:
            local(owner, None)
            return
        related = make(values)
        for inner in nested:
            inner(row, related)
        local(owner, related)
        remote(related, owner)

    return populate


def _row_maker(compiler: SQLCompiler, alias: str) -> Callable[[Any], Model]:
    """Return what turns a row of the compiled query into its instance, as the ORM does."""
    klass_info = compiler.klass_info
    assert klass_info is not None  # a query of model instances
    select_fields = klass_info["select_fields"]
    columns = slice(select_fields[0], select_fields[-1] + 1)
    make = _maker(
        klass_info["model"],
        [column[0].target.attname for column in compiler.select[columns]],
        alias,
    )
    related = [
        _populator(populator, alias)
        for populator in get_related_populators(klass_info, compiler.select, alias)
    ]
    annotations = tuple((compiler.annotation_col_map or {}).items())

    def instance(row: Any) -> Model:
        made = make(row[columns])
        for populate in related:
            populate(row, made)
        for name, position in annotations:
            setattr(made, name, row[position])
        return made

    return instance


class Window(Generic[M]):
    """The rows of a windowed PreparedQuery for some parameter values, sliced in the
    database as a paginator slices a QuerySet (`rows[start:stop]`).

    `known` gives each row related objects the caller already holds (`{"blog": blog}`),
    as a related manager's QuerySet does (a row whose foreign key names another object is
    a ValueError); `count` says how many rows there are.
    """

    def __init__(
        self,
        query: PreparedQuery[M],
        *,
        count: Callable[[], int] | None = None,
        known: dict[str, Model] | None = None,
        **values: Any,
    ) -> None:
        self._query = query
        self._count = count
        # Each known object goes straight into its foreign key's cache: assigning it
        # (`row.blog = blog`) asks the database router to allow the relation, once a
        # row (a tenth of a 20-entry API page's Python).
        self._known: list[tuple[ForeignKey[Any, Any], Model]] = []
        for name, value in (known or {}).items():
            field = query.model._meta.get_field(name)
            if not isinstance(field, ForeignKey):
                raise TypeError(f"{name} is not a foreign key of the rows")
            self._known.append((field, value))
        self._values = values

    @overload
    def __getitem__(self, window: int) -> M: ...
    @overload
    def __getitem__(self, window: slice) -> list[M]: ...
    def __getitem__(self, window: int | slice) -> M | list[M]:
        if isinstance(window, int):
            rows = self[window : window + 1] if window >= 0 else []
            if not rows:
                raise IndexError("no such row")
            return rows[0]
        start, stop = window.start or 0, window.stop
        if window.step is not None or stop is None or start < 0 or stop < start:
            raise IndexError("a window is sliced [start:stop], both at least 0")
        rows = self._query(offset=start, limit=stop - start, **self._values)
        for field, value in self._known:
            pk = value.pk
            for row in rows:
                if getattr(row, field.attname) != pk:
                    raise ValueError(f"a row's {field.name} is not the known one")
                field.set_cached_value(row, value)
        return rows

    def count(self) -> int:
        if self._count is None:
            raise TypeError("this window was given no count")
        return self._count()

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[M]:
        return iter(self[0 : self.count()])


# --- inserting ----------------------------------------------------------------------


def insert(instance: M, *, using: str) -> M:
    """Save a new `instance` as `instance.save()` would, its INSERT made once per database.

    Each field's value is prepared as save() prepares it (pre_save, get_db_prep_save) and
    the new primary key is read back; the instance is then saved (`_state`). For models
    that nothing hooks into, where save()'s compilation of the statement was most of its
    cost: a model with a save() of its own or listeners of its save signals is saved by
    save(), which runs them.
    """
    model = type(instance)
    if (
        model.save is not Model.save
        or model.save_base is not Model.save_base
        or pre_save.has_listeners(model)
        or post_save.has_listeners(model)
    ):
        instance.save(using=using, force_insert=True)
        return instance
    connection = connections[using]
    returning = bool(connection.features.can_return_columns_from_insert)
    sql, fields = insert_statement(model, connection, returning=returning)
    # As get_db_prep_save prepares them, plain values as they are (kernel.sql).
    params = values_for_saving(
        model, connection, [field.pre_save(instance, True) for field in fields]
    )
    if returning:
        # kernel.sql: on PostgreSQL the statement prepared once per connection and its
        # values bound by the server, where Django's cursor wrote each of them into the
        # SQL text (a new entry's title, body and HTML).
        (key,) = fetch_one(using, sql, params)  # type: ignore[misc]
    else:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            key = connection.ops.last_insert_id(cursor, model._meta.db_table, model._meta.pk.column)
    instance.pk = key
    instance._state.adding = False
    instance._state.db = using
    return instance
