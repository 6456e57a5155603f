"""FreeMarker's ranges (`1..3`, `0..<n`, `2..*n`, `5..`) and slicing with them.

A range is a sequence of ints that knows how it was written, because slicing depends on it:
`..*n` is "right-adaptive" (it stops at the end of what is sliced, the natural way to shorten
an SMS: `note[0..*40]`), `n..` is unbounded, and descending ranges reverse a sequence but
cannot slice a string. Sizes are only limited when a range is listed, so slicing with a
large `..*n` is cheap.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from typing import Any, overload

from . import limits
from .budget import charge
from .failures import TemplateDataFailure, TemplateLimitFailure


class RangeValue(Sequence[int]):
    __slots__ = ("adaptive", "begin", "inclusive", "size", "step")

    def __init__(
        self, begin: int, size: int | None, step: int, *, adaptive: bool, inclusive: bool
    ) -> None:
        self.begin, self.size, self.step = begin, size, step  # size None: right-unbounded
        self.adaptive, self.inclusive = adaptive, inclusive

    @classmethod
    def between(cls, begin: int, end: int | None, kind: str) -> RangeValue:
        """As FreeMarker's Range builds it; `end` is the count for `..*` ranges."""
        if end is None:
            return cls(begin, None, 1, adaptive=True, inclusive=False)
        if kind == "length":
            end = begin + end
        step = 1 if begin <= end else -1
        size = abs(end - begin) + (kind == "inclusive")
        return cls(begin, size, step, adaptive=kind == "length", inclusive=kind == "inclusive")

    def __len__(self) -> int:
        return sys.maxsize if self.size is None else self.size

    @overload
    def __getitem__(self, index: int) -> int: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[int]: ...
    def __getitem__(self, index: int | slice) -> int | Sequence[int]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self.begin + self.step * index

    def __iter__(self) -> Iterator[int]:
        index = 0
        while self.size is None or index < self.size:
            yield self.begin + self.step * index
            index += 1

    def listable(self) -> RangeValue:
        if self.size is None or self.size > limits.MAX_RANGE_SIZE:
            raise TemplateLimitFailure(f"A range exceeds {limits.MAX_RANGE_SIZE:,} items")
        return self


def slice_value(target: str | Sequence[Any], key: RangeValue) -> Any:
    """`target[range]`, following FreeMarker's DynamicKeyName.dealWithRangeKey."""
    text = isinstance(target, str)
    if key.size == 0:
        return "" if text else []
    first = key.begin
    if first < 0:
        raise TemplateDataFailure(f"Negative range start index ({first}) isn't allowed for slicing")
    length = len(target)
    if first > length if key.adaptive and key.step == 1 else first >= length:
        raise _out_of_bounds("start", first, length, text)
    if key.size is None:
        size = length - first
    else:
        last = first + (key.size - 1) * key.step
        if last < 0 and not key.adaptive:
            raise TemplateDataFailure(f"Negative range end index ({last}) in a slice")
        if last >= length and not key.adaptive:
            raise _out_of_bounds("end", last, length, text)
        size = first + 1 if last < 0 else abs(length - first) if last >= length else key.size
    if size == 0:
        return "" if text else []
    # A Python loop builds a sliced sequence: a few units an item; a string slice is C code.
    charge((size if text else 5 * size) + 1)
    if not text:
        return [target[first + i * key.step] for i in range(size)]
    if key.step < 0 and size > 1:
        if not (key.inclusive and size == 2):
            raise TemplateDataFailure("Decreasing ranges aren't allowed for slicing strings")
        return ""  # FreeMarker keeps a legacy bug: "foo"[n..n-1] is ""
    assert isinstance(target, str)
    return target[first : first + size]


def _out_of_bounds(which: str, index: int, length: int, text: bool) -> TemplateDataFailure:
    what = "string has only {} character(s)" if text else "sequence has only {} element(s)"
    return TemplateDataFailure(
        f"Range {which} index {index} is out of bounds: the sliced {what.format(length)}"
    )
