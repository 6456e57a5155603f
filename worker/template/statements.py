"""The statements of the parse tree: text, interpolations and directives, as immutable nodes
holding the expressions of `syntax` (each with its `Span`, for errors with line and column)."""

from __future__ import annotations

from dataclasses import dataclass

from .syntax import Expr, Span


@dataclass(frozen=True, slots=True)
class Text:
    text: str
    start: int = 0


@dataclass(frozen=True, slots=True)
class Comment:
    """`<#-- ... -->`: prints nothing, but white-space stripping sees it, as FreeMarker does."""

    span: Span


@dataclass(frozen=True, slots=True)
class Interpolation:
    span: Span
    expr: Expr


@dataclass(frozen=True, slots=True)
class IfBlock:
    span: Span
    branches: tuple[tuple[Expr, tuple[Statement, ...]], ...]
    otherwise: tuple[Statement, ...]


@dataclass(frozen=True, slots=True)
class LoopVars:
    """`as x` (sequence) or `as k, v` (hash)."""

    span: Span
    item: str
    value: str | None


@dataclass(frozen=True, slots=True)
class ListBlock:
    """`<#list>`; without `loop_vars` the body holds exactly one `ItemsBlock`."""

    span: Span
    source: Expr
    loop_vars: LoopVars | None
    body: tuple[Statement, ...]
    otherwise: tuple[Statement, ...]


@dataclass(frozen=True, slots=True)
class ItemsBlock:
    span: Span
    loop_vars: LoopVars
    body: tuple[Statement, ...]


@dataclass(frozen=True, slots=True)
class SepBlock:
    span: Span
    body: tuple[Statement, ...]


@dataclass(frozen=True, slots=True)
class Assignment:
    """One `name op value` of `<#assign>`; `op` is `=`, `+=`, ..., or `++`/`--` (no value)."""

    span: Span
    name: str
    operator: str
    value: Expr | None
    is_global: bool = False  # `<#global>`: below the template's own variables, above metadata
    is_local: bool = False  # `<#local>`: the running macro's own variable


@dataclass(frozen=True, slots=True)
class AssignDirective:
    span: Span
    assignments: tuple[Assignment, ...]


@dataclass(frozen=True, slots=True)
class LoopControl:
    """`<#break>` or `<#continue>`."""

    span: Span
    keyword: str


@dataclass(frozen=True, slots=True)
class MacroDefinition:
    """`<#macro name p1 p2=default rest...>body</#macro>`: defined for the whole template
    wherever it stands (a later definition of the same name wins), printing nothing where it
    stands."""

    span: Span
    name: str
    params: tuple[str, ...]
    defaults: tuple[Expr | None, ...]
    body: tuple[Statement, ...]
    is_function: bool = False  # `<#function>`: called in expressions, `<#return value>`
    catch_all: str | None = None  # `rest...`: the arguments no parameter takes


@dataclass(frozen=True, slots=True)
class MacroCall:
    """`<@name a=1 b=2/>`, `<@name 1, 2/>`, or with nested content `<@name ; x, y>...</@name>`.
    `names` is empty for positional arguments; `loop_vars` are the nested content's, set by
    `<#nested v1, v2>`."""

    span: Span
    name: str
    names: tuple[str, ...]
    args: tuple[Expr, ...]
    body: tuple[Statement, ...] | None
    loop_vars: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MacroControl:
    """`<#nested v1, v2>` or `<#return>` inside a macro, `<#return value>` inside a
    function."""

    span: Span
    keyword: str
    value: Expr | None = None
    loop_values: tuple[Expr, ...] = ()  # `<#nested>`'s, for the nested content's loop variables


@dataclass(frozen=True, slots=True)
class SettingDirective:
    """`<#setting locale="de_DE">`: for the rest of the render."""

    span: Span
    name: str
    value: Expr


@dataclass(frozen=True, slots=True)
class TrimDirective:
    """`<#t>` (left and right), `<#lt>`, `<#rt>`, `<#nt>` (neither): white-space trimming of
    the line it is on, applied by `whitespace`; prints nothing."""

    span: Span
    left: bool
    right: bool


@dataclass(frozen=True, slots=True)
class AttemptBlock:
    """`<#attempt>body<#recover>recovery</#attempt>`: the body's output is kept only if no
    template error happened in it; else the recovery runs instead."""

    span: Span
    body: tuple[Statement, ...]
    recovery: tuple[Statement, ...]


@dataclass(frozen=True, slots=True)
class CompressBlock:
    """`<#compress>`: white-space runs of the body's output shrink to one space or line break."""

    span: Span
    body: tuple[Statement, ...]


@dataclass(frozen=True, slots=True)
class SwitchCase:
    """`<#case v>`, `<#on v1, v2>` or (no values) `<#default>`, and the statements after it."""

    span: Span
    values: tuple[Expr, ...]
    body: tuple[Statement, ...]


@dataclass(frozen=True, slots=True)
class SwitchBlock:
    """`<#switch>`: with `<#case>`, a match runs on into the following cases up to a
    `<#break>`; with `<#on>` (`falls_through` False), only the matching one runs."""

    span: Span
    value: Expr
    cases: tuple[SwitchCase, ...]
    falls_through: bool


Statement = (
    Text
    | Comment
    | Interpolation
    | IfBlock
    | ListBlock
    | ItemsBlock
    | SepBlock
    | AssignDirective
    | LoopControl
    | SwitchBlock
    | AttemptBlock
    | CompressBlock
    | TrimDirective
    | SettingDirective
    | MacroDefinition
    | MacroCall
    | MacroControl
)
