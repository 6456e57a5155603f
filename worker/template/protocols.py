"""What modules of the template package need of objects owned by modules above them, as
protocols, so that no module imports one that imports it back (the import graph has no
cycles: tests/test_architecture.py checks it).

The parser hands itself to `parse_macros`, the runtime hands its render state to `macros` and
`held_output`, the statement compiler its `block` to the modules compiling directives with a
body: each of those sees only the few members below. This module sits at the bottom
of the graph: it imports nothing of the package but the leaves it names.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from jinja2 import nodes

from . import syntax
from .budget import RenderBudget
from .lexer import SourceMap
from .scanner import TagChunk

# The statement compiler's `block` (`compiler.Compiler.block`), handed to the modules that
# compile directives with a body (`compile_macros`, `compile_held`), which it imports.
BlockCompiler = Callable[[tuple[syntax.Statement, ...]], list[nodes.Node]]


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


class BlockParser(Protocol):
    """The template parser as `parse_macros` sees it (`parser._TemplateParser`)."""

    map: SourceMap
    macro_depth: int  # inside a <#macro> body
    in_function: bool  # ... and that body is a <#function>'s

    def block(
        self, closers: frozenset[str]
    ) -> tuple[tuple[syntax.Statement, ...], TagChunk | None]: ...

    def span_of(self, chunk: TagChunk) -> syntax.Span: ...
