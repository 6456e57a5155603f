"""Sequence built-ins (`?seq_index_of`, `?min`/`?max`, `?sort`, `?sort_by`, `?chunk`) and the
type tests (`?is_string`, ...). Sorting pays n·log2(n) comparisons, and the collation keys of
strings by their characters, before it sorts (see `collation`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from . import collation, limits, numbers
from .budget import charge
from .dates import kind_of
from .failures import TemplateDataFailure, TemplateLimitFailure
from .ranges import RangeValue
from .truncation import MarkupOutput
from .values import (
    DATE_TYPES,
    ConcatenatedList,
    KeyList,
    RegexMatches,
    is_hash,
    is_number,
    is_sequence,
    require_number,
    require_sequence,
    type_name,
)

# Work units for one comparison while sorting (a Python-level key comparison).
_UNITS_PER_COMPARISON = 4
# Work units for a character of a string's collation elements, or of a comparison walking them.
_UNITS_PER_COLLATED_CHAR = 12


def _same(item: Any, wanted: Any) -> bool:
    """`?seq_index_of`'s equality: as `==`, but different types are simply not equal."""
    if is_number(item) and is_number(wanted):
        return numbers.compare(item, wanted) == 0
    if type_name(item) != type_name(wanted) or type_name(item) in ("sequence", "hash"):
        return False
    if isinstance(item, str):
        charge(min(len(item), len(wanted)) + 1)
    try:
        return bool(item == wanted)
    except TypeError:
        return False


def _seq_index_of(value: Any, wanted: Any, start_: Any = None) -> int:
    items = require_sequence(value)
    start = 0 if start_ is None else max(numbers.java_int(require_number(start_)), 0)
    for position, item in enumerate(items):  # reads a lazily computed sequence up to a match
        if position < start:
            continue
        charge(3 * limits.WORK_PER_NODE)
        if _same(item, wanted):
            return position
    return -1


def _seq_last_index_of(value: Any, wanted: Any, start_: Any = None) -> int:
    items = require_sequence(value)
    start = len(items) - 1
    if start_ is not None:
        start = min(numbers.java_int(require_number(start_)), start)
    for position in range(start, -1, -1):
        charge(3 * limits.WORK_PER_NODE)
        if _same(items[position], wanted):
            return position
    return -1


def _extreme(name: str, pick_second: Callable[[Any, Any], bool]) -> Callable[[Any], Any]:
    """`?min`/`?max` of numbers or of dates (or of one value alone); JSON nulls are skipped; an
    empty sequence gives no value (None: the caller reports it as missing)."""

    def run(value: Any) -> Any:
        items = require_sequence(value)
        charge(_UNITS_PER_COMPARISON * len(items) + 1)
        best = None
        for item in items:
            if item is None:
                continue
            if best is None:  # a single value of any type needs no comparison (FreeMarker)
                best = item
                continue
            for compared in (best, item):
                if not (is_number(compared) or isinstance(compared, DATE_TYPES)):
                    kind = type_name(compared)
                    raise TemplateDataFailure(f"?{name} can't compare {kind} values")
            if is_number(item) != is_number(best):
                raise TemplateDataFailure(f"?{name} can't compare a number with a date")
            try:
                if pick_second(best, item):
                    best = item
            except TypeError as error:
                raise TemplateDataFailure(
                    f"?{name}: these date values can't be compared"
                ) from error
        return best

    return run


def _sort_keys(items: list[Any], name: str) -> list[Any]:
    kinds = {type_name(item) if item is not None else "null" for item in items}
    if len(kinds) > 1 or kinds & {"sequence", "hash", "null", "unsupported value"}:
        shown = ", ".join(sorted(kinds))
        raise TemplateDataFailure(
            f"?{name} needs values of one type (string, number, date, boolean), got {shown}"
        )
    if kinds == {"string"}:
        # Each comparison walks up to the longer string's elements in Python.
        longest = max(len(item) for item in items)
        rounds = len(items) * max(len(items).bit_length(), 1)
        charge(_UNITS_PER_COLLATED_CHAR * (sum(map(len, items)) + rounds * (longest + 1)))
        key = collation.sort_key()
        return [key(collation.elements(item)) for item in items]
    if kinds == {"date"} and len({kind_of(item) for item in items}) > 1:
        raise TemplateDataFailure(f"?{name} can't compare dates of different kinds")
    return items


def _sorted(items: list[Any], keys: list[Any], name: str) -> list[Any]:
    charge(_UNITS_PER_COMPARISON * len(items) * max(len(items).bit_length(), 1) + 1)
    order = list(range(len(items)))
    try:
        order.sort(key=keys.__getitem__)
    except TypeError as error:  # naive with aware datetimes
        raise TemplateDataFailure(f"?{name}: these values can't be compared") from error
    return [items[i] for i in order]


def _sort(value: Any) -> list[Any]:
    items = list(_listed(value))
    return _sorted(items, _sort_keys(items, "sort"), "sort")


def _sort_by(value: Any, path_: Any) -> list[Any]:
    """`?sort_by("key")`, or `?sort_by(["a", "b"])`: sorts by `item.a.b` (a path)."""
    items = list(_listed(value))
    path = [path_] if isinstance(path_, str) else list(require_sequence(path_))
    if not path or not all(isinstance(key, str) for key in path):
        raise TemplateDataFailure("?sort_by needs a key name or a sequence of key names")
    charge((len(path) + 1) * len(items) + 1)
    keys = []
    for item in items:
        found = item
        for key in path:
            if not isinstance(found, Mapping):
                raise TemplateDataFailure(f"?sort_by needs hashes, got a {type_name(found)}")
            found = found.get(key)
            if found is None:
                raise TemplateDataFailure(f"?sort_by: an item has no {key!r}")
        keys.append(found)
    return _sorted(items, _sort_keys(keys, "sort_by"), "sort_by")


def _listed(value: Any) -> Any:
    if isinstance(value, RangeValue):
        charge(min(len(value), limits.MAX_RANGE_SIZE) + 1)
    items = require_sequence(value)
    charge(len(items) + 1)
    return items


def _chunk(value: Any, size_: Any, *filler: Any) -> list[list[Any]]:
    items = _listed(value)
    size = numbers.java_int(require_number(size_))
    if size < 1:
        raise TemplateDataFailure("?chunk needs a chunk size of at least 1")
    count = -(-len(items) // size)
    total = count * size if filler else len(items)
    if total > limits.MAX_SEQUENCE_ITEMS:
        raise TemplateLimitFailure(f"A sequence would exceed {limits.MAX_SEQUENCE_ITEMS:,} items")
    charge(2 * (total + count) + 1)
    rows = [list(items[at : at + size]) for at in range(0, len(items), size)]
    if filler and rows:
        rows[-1].extend(filler * (size - len(rows[-1])))
    return rows


def _sequence(value: Any) -> Any:
    """`?sequence`: a sequence as it is (every listable value here is one), else an error."""
    charge(1)
    if not is_sequence(value):
        raise TemplateDataFailure(
            f"Expected a sequence or collection, but this evaluated to a {type_name(value)}"
        )
    return value


def _date_kind(*kinds: str) -> Callable[[Any], bool]:
    return lambda value: isinstance(value, DATE_TYPES) and kind_of(value) in kinds


def _never(value: Any) -> bool:
    return False


_TYPE_TESTS: dict[str, Callable[[Any], bool]] = {
    "is_string": lambda value: isinstance(value, str),
    "is_number": is_number,
    "is_boolean": lambda value: isinstance(value, (bool, RegexMatches)),
    "is_sequence": is_sequence,
    "is_indexable": is_sequence,
    "is_enumerable": is_sequence,
    # JSON arrays are Java Lists, which FreeMarker wraps as sequences, not collections.
    "is_collection": lambda value: isinstance(value, (KeyList, ConcatenatedList)),
    "is_collection_ex": lambda value: isinstance(value, ConcatenatedList),
    "is_hash": is_hash,
    # `.vars` and `.globals` can't list their keys: plain hashes, not extended ones.
    "is_hash_ex": lambda value: is_hash(value) and not getattr(value, "unlisted", False),
    "is_date": _date_kind("date", "time", "datetime"),
    "is_date_like": _date_kind("date", "time", "datetime"),
    "is_date_only": _date_kind("date"),
    "is_time": _date_kind("time"),
    "is_datetime": _date_kind("datetime"),
    "is_unknown_date_like": _never,
    "is_method": _never,
    "is_transform": _never,
    # `.pass` is FreeMarker's do-nothing macro; the template's own macros are no values here.
    "is_macro": lambda value: getattr(value, "is_macro", False) is True,
    "is_directive": lambda value: getattr(value, "is_macro", False) is True,
    "is_node": _never,
    "is_markup_output": lambda value: isinstance(value, MarkupOutput),
}


def _type_test(test: Callable[[Any], bool]) -> Callable[[Any], bool]:
    def run(value: Any) -> bool:
        charge(1)
        return bool(test(value))

    return run


# name -> (implementation, minimum arguments, maximum arguments), merged into BUILTINS.
SEQUENCE_BUILTINS: dict[str, tuple[Callable[..., Any], int, int]] = {
    "seq_index_of": (_seq_index_of, 1, 2),
    "seq_last_index_of": (_seq_last_index_of, 1, 2),
    "min": (_extreme("min", lambda best, item: bool(item < best)), 0, 0),
    "max": (_extreme("max", lambda best, item: bool(item > best)), 0, 0),
    "sort": (_sort, 0, 0),
    "sort_by": (_sort_by, 1, 1),
    "chunk": (_chunk, 1, 2),
    "sequence": (_sequence, 0, 0),
    **{name: (_type_test(test), 0, 0) for name, test in _TYPE_TESTS.items()},
}
