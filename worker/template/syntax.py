"""The expressions of the parse tree of the supported FreeMarker subset, as immutable nodes
(the statements that hold them: `statements`).

Every node keeps its `Span` so errors can name the expression and its line and column.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Span:
    """Where a node sits in the source: offsets for quoting its text, line/column for people."""

    start: int
    end: int
    line: int
    column: int


# ---- expressions ----


@dataclass(frozen=True, slots=True)
class Literal:
    span: Span
    value: str | Decimal | bool


@dataclass(frozen=True, slots=True)
class StringTemplate:
    """A string literal containing `${...}` interpolations; parts are text or expressions."""

    span: Span
    parts: tuple[str | Expr, ...]


@dataclass(frozen=True, slots=True)
class NumericText:
    """Legacy `#{expr}` / `#{expr; m1M2}`: a number printed with no grouping and the given
    fraction digits (0 to 50 by default)."""

    span: Span
    expr: Expr
    min_fraction: int
    max_fraction: int


@dataclass(frozen=True, slots=True)
class SequenceLiteral:
    span: Span
    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class HashLiteral:
    """`{"key": value, ...}`; keys and values pair up by position."""

    span: Span
    keys: tuple[Expr, ...]
    values: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Variable:
    span: Span
    name: str


@dataclass(frozen=True, slots=True)
class Dot:
    span: Span
    target: Expr
    key: str


@dataclass(frozen=True, slots=True)
class Index:
    span: Span
    target: Expr
    key: Expr


@dataclass(frozen=True, slots=True)
class BuiltIn:
    """`target?name(args)`; `name` includes a variant such as `string.iso` or `date.iso`.
    A wrong number of arguments is a render-time error in FreeMarker (`arity_error`)."""

    span: Span
    target: Expr
    name: str
    args: tuple[Expr, ...]
    arity_error: str | None = None


@dataclass(frozen=True, slots=True)
class FunctionCall:
    """`name(args)`: a call of a `<#function>` the template defines."""

    span: Span
    name: str
    args: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Lambda:
    """`x -> body` or `(x) -> body`: legal only as the argument of `?filter`, `?map`,
    `?take_while` and `?drop_while` (FreeMarker's grammar), with exactly one parameter."""

    span: Span
    param: str
    body: Expr


@dataclass(frozen=True, slots=True)
class StreamBuiltIn:
    """`target?filter(f)`, `?map`, `?take_while`, `?drop_while`: `function` is a `Lambda` or
    an expression naming a `<#function>`. `lazy` when its consumer (`<#list>`, `?first`,
    `?join`, another stream built-in...) lets FreeMarker compute the items on demand."""

    span: Span
    target: Expr
    name: str
    function: Expr | Lambda
    lazy: bool = False


@dataclass(frozen=True, slots=True)
class Special:
    """`.now`, `.lang`, `.vars` ...: a special variable (see `special_variables`)."""

    span: Span
    name: str


@dataclass(frozen=True, slots=True)
class Parenthesized:
    """Kept in the tree because `(a.b)!x` and `a.b!x` cover missing values differently."""

    span: Span
    inner: Expr


@dataclass(frozen=True, slots=True)
class Default:
    """`target!fallback`; a `None` fallback is FreeMarker's empty string/sequence/hash."""

    span: Span
    target: Expr
    fallback: Expr | None


@dataclass(frozen=True, slots=True)
class Exists:
    span: Span
    target: Expr


@dataclass(frozen=True, slots=True)
class Not:
    span: Span
    operand: Expr


@dataclass(frozen=True, slots=True)
class Negate:
    span: Span
    operand: Expr


@dataclass(frozen=True, slots=True)
class Logical:
    """`&&` / `||`, short-circuiting."""

    span: Span
    operator: str
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class Binary:
    """Arithmetic (`+ - * / %`) and comparison (`== != < <= > >=`, canonical spelling)."""

    span: Span
    operator: str
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class Range:
    """`start..end` (inclusive), `start..<end` (exclusive), `start..*count` (length) or
    `start..` (unbounded, `end` is None)."""

    span: Span
    start: Expr
    end: Expr | None
    kind: str


Expr = (
    Literal
    | StringTemplate
    | NumericText
    | SequenceLiteral
    | HashLiteral
    | Variable
    | Dot
    | Index
    | BuiltIn
    | FunctionCall
    | StreamBuiltIn
    | Special
    | Parenthesized
    | Default
    | Exists
    | Not
    | Negate
    | Logical
    | Binary
    | Range
)


def too_deep(root: Expr, limit: int) -> Span | None:
    """Where an expression nests deeper than `limit`, measured iteratively (a long chain of
    `+` nests without recursing in the parser)."""
    stack: list[tuple[object, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            span = getattr(node, "span", None)
            return span if isinstance(span, Span) else Span(0, 0, 1, 1)
        for field in dataclasses.fields(node):  # type: ignore[arg-type]
            if field.name == "span":
                continue
            value = getattr(node, field.name)
            children = value if isinstance(value, tuple) else (value,)
            stack.extend((c, depth + 1) for c in children if dataclasses.is_dataclass(c))
    return None
