"""FreeMarker's parse-time type checks on literals: `"a" < 1`, `true * 2`, `1 && x` or
`${[1, 2]}` are syntax errors there (not render-time errors), so they are here too."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from . import syntax

_NUMERIC_OPERATORS = frozenset({"-", "*", "/", "%", "<", "<=", ">", ">="})
_NOT_NUMBER = frozenset({"string", "sequence", "boolean", "hash"})
_NOT_BOOLEAN = frozenset({"string", "sequence", "number", "hash"})


def literal_kind(expr: object) -> str | None:
    if isinstance(expr, syntax.StringTemplate):
        return "string"
    if isinstance(expr, syntax.SequenceLiteral):
        return "sequence"
    if isinstance(expr, syntax.HashLiteral):
        return "hash"
    if isinstance(expr, syntax.Literal):
        if isinstance(expr.value, bool):
            return "boolean"
        return "number" if isinstance(expr.value, Decimal) else "string"
    return None


def misused_literal(root: syntax.Expr) -> tuple[syntax.Span, str] | None:
    """The first literal used where FreeMarker's grammar rejects its type, and a message."""
    stack: list[object] = [root]
    while stack:
        node = stack.pop()
        for operand, banned in _rules(node):
            kind = literal_kind(operand)
            if kind in banned:
                assert isinstance(
                    operand,
                    (
                        syntax.Literal,
                        syntax.StringTemplate,
                        syntax.SequenceLiteral,
                        syntax.HashLiteral,
                    ),
                )
                return operand.span, f"A {kind} literal can't be used here"
        for field in dataclasses.fields(node):  # type: ignore[arg-type]
            value = getattr(node, field.name)
            children = value if isinstance(value, tuple) else (value,)
            stack.extend(c for c in children if dataclasses.is_dataclass(c))
    return None


def _rules(node: object) -> list[tuple[object, frozenset[str]]]:
    if isinstance(node, syntax.Binary):
        if node.operator in _NUMERIC_OPERATORS:
            return [(node.left, _NOT_NUMBER), (node.right, _NOT_NUMBER)]
        if node.operator in ("==", "!="):
            banned = frozenset({"sequence", "hash"})
            return [(node.left, banned), (node.right, banned)]
    if isinstance(node, syntax.Logical):
        return [(node.left, _NOT_BOOLEAN), (node.right, _NOT_BOOLEAN)]
    if isinstance(node, syntax.Range):
        return [(node.start, _NOT_NUMBER), (node.end, _NOT_NUMBER)]
    if isinstance(node, syntax.Dot):
        return [(node.target, frozenset({"sequence", "string", "boolean"}))]
    if isinstance(node, syntax.Index):
        return [(node.target, frozenset({"boolean", "number"}))]
    return []
