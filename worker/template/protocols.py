"""What modules of the template package need of objects owned by modules above them, as
protocols, so that no module imports one that imports it back (the import graph has no
cycles: tests/test_architecture.py checks it).

The parsers hand themselves to `parse_macros`, `parse_lambdas` and `special_variables`, the
runtime hands its render state to `macros`, `held_output`, `lambdas` and `special_variables`,
the statement compiler its `block` to the modules compiling directives with a body: each of
those sees only the few members below. This module sits at the bottom
of the graph: it imports nothing of the package but the leaves it names.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from jinja2 import nodes

from . import statements, syntax
from .budget import RenderBudget
from .lexer import SourceMap, Token
from .scanner import TagChunk

# The statement compiler's `block` (`compiler.Compiler.block`), handed to the modules that
# compile directives with a body (`compile_macros`, `compile_held`), which it imports.
BlockCompiler = Callable[[tuple[statements.Statement, ...]], list[nodes.Node]]


# What a macro call needs to know of the macro and of the call (built by `compile_macros`,
# read by `macros`): the macro's name, its parameters, which of them need a value, its
# catch-all parameter (or None), the names the call gives its values by (none: by position),
# and the call's loop variables for its nested content.
Signature = tuple[str, list[str], list[bool], str | None, list[str], list[str]]


class CallFrame(Protocol):
    """One running macro call (`macros.Frame`)."""

    @property
    def locals(self) -> dict[str, Any]: ...

    @property
    def nested(self) -> Callable[..., str] | None: ...

    @property
    def nested_names(self) -> tuple[str, ...]: ...

    @property
    def caller(self) -> CallFrame | None: ...


class HeldOutputState(Protocol):
    """The render state as `<#attempt>`/`<#compress>` bodies see it (`runtime.RenderState`)."""

    buffered: int  # characters held back by the bodies now running
    returning: bool  # a macro's `<#return>` is leaving the bodies now running


class MacroState(HeldOutputState, Protocol):
    """The render state as macro calls see it (`runtime.RenderState`)."""

    frames: list[CallFrame]  # the macro calls now running, innermost last
    budget: RenderBudget


class RenderingState(MacroState, Protocol):
    """The render state as special variables and stream built-ins see it."""

    data: Mapping[str, Any]  # the metadata
    assigned: dict[str, Any]  # `<#assign>`ed
    globals: dict[str, Any]  # `<#global>`ed


class IteratingState(Protocol):
    """The render state as `<#list>` sees it (`runtime.RenderState`)."""

    def spend_iteration(self, nodes_in_body: int) -> None: ...


class ExpressionParsing(Protocol):
    """The expression parser (`expressions.ExpressionParser`) as the modules parsing parts of
    expressions for it (`parse_builtins`, `parse_lambdas`, `special_variables`) see it."""

    map: SourceMap
    pos: int  # the next token's index

    def peek(self, ahead: int = 0) -> Token: ...

    def at(self, *texts: str) -> bool: ...

    def advance(self) -> Token: ...

    def span(self, start: int) -> syntax.Span: ...

    def fail(self, message: str, token: Token | None = None) -> Exception: ...

    def parse_expression(self) -> syntax.Expr: ...

    def arguments(self, closer: str) -> list[syntax.Expr]: ...


class BlockParser(Protocol):
    """The template parser as `parse_macros` sees it (`parser._TemplateParser`)."""

    map: SourceMap
    macro_depth: int  # inside a <#macro> body
    in_function: bool  # ... and that body is a <#function>'s

    def block(
        self, closers: frozenset[str]
    ) -> tuple[tuple[statements.Statement, ...], TagChunk | None]: ...

    def span_of(self, chunk: TagChunk) -> syntax.Span: ...
