"""Compiles FreeMarker expressions into `jinja2.nodes` expressions: the base of `Compiler`.

Every value operation becomes a call of one of the runtime filters, so FreeMarker's semantics
(missing values, number format, dict-only lookups) hold and no jinja attribute access or call
on metadata is ever emitted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from jinja2 import nodes

from . import statements, syntax
from .builtins import LOOP_BUILTINS
from .failures import TemplateSyntaxFailure

STATE = "ftl_state"
EMPTY = "ftl_empty"
ARITHMETIC = {"+": "add", "-": "sub", "*": "mul", "/": "div", "%": "mod"}


@dataclass(frozen=True, slots=True)
class NodeInfo:
    """What an error message needs about an expression: its position and source text."""

    line: int
    column: int
    text: str


@dataclass
class LoopScope:
    """The jinja names behind one loop's variables, and whether its state is used."""

    item: str
    value: str | None
    state: str
    uses_state: bool = False
    names: dict[str, str] = field(default_factory=dict)
    # Loop variables of a macro call's nested content (`<@m ; x>`): no loop state, and one
    # `<#nested>` gave no value stands for what the name means around the call.
    nested_content: bool = False


class ExpressionCompiler:
    def __init__(self, source: str) -> None:
        self.source = source
        self.node_infos: list[NodeInfo] = []
        self.loops: list[LoopScope] = []
        # What a <#break> leaves, innermost last: "list" or "switch"; "held" is a body jinja
        # runs as a macro (<#attempt>, <#compress>), which a <#break> cannot leave.
        self.breakables: list[str] = []
        # Inside how many <#attempt>/<#compress>/macro bodies: their output is held back.
        self.buffering = 0
        # Macro name -> (its jinja macro's name, its definition).
        self.macros: dict[str, tuple[str, statements.MacroDefinition]] = {}
        # How many `<#return>`s and `<#nested>`s of macros are compiled so far: after each
        # statement that holds one comes a check whether the macro is returning.
        self.macro_exits = 0
        self.counter = 0
        # Lambdas (jinja macros) of the statement being compiled: defined before it (see
        # compile_lambdas); the jinja names of the <#attempt> results being recovered from.
        self.lambdas: list[nodes.Macro] = []
        self.recovering: list[str] = []

    # ---- helpers ----

    def register(self, span: syntax.Span) -> nodes.Const:
        text = self.source[span.start : span.end]
        self.node_infos.append(NodeInfo(span.line, span.column, text))
        return nodes.Const(len(self.node_infos) - 1)

    def fresh(self, kind: str) -> str:
        self.counter += 1
        return f"ftl_{kind}_{self.counter}"

    @staticmethod
    def call(value: nodes.Expr, name: str, *args: nodes.Expr) -> nodes.Filter:
        return nodes.Filter(value, name, list(args), [], None, None)

    @staticmethod
    def fail(message: str, span: syntax.Span) -> TemplateSyntaxFailure:
        return TemplateSyntaxFailure(message, line=span.line, column=span.column)

    def resolve_loop_name(self, name: str) -> tuple[LoopScope, str] | None:
        """The `<#list>` loop variable `name` (for `?index` and the like); a loop variable
        of nested content is none, and hides one of the same name around it."""
        for loop in reversed(self.loops):
            if name in loop.names:
                return None if loop.nested_content else (loop, loop.names[name])
        return None

    # ---- expressions ----

    def expr(self, node: syntax.Expr, strict: bool) -> nodes.Expr:
        suffix = "" if strict else "_lenient"
        if isinstance(node, syntax.Literal):
            if isinstance(node.value, Decimal):
                # Generated code can only hold plain constants: the text becomes a Decimal
                # when evaluated.
                return self.call(nodes.Const(str(node.value)), "ftl_decimal")
            return nodes.Const(node.value)
        if isinstance(node, syntax.Variable):
            return self.variable(node)
        if isinstance(node, syntax.Parenthesized):
            return self.expr(node.inner, strict)
        if isinstance(node, syntax.Dot):
            target = self.expr(node.target, strict)
            return self.call(
                target,
                "ftl_dot",
                nodes.Const(node.key),
                self.register(node.span),
                nodes.Const(strict),
            )
        if isinstance(node, syntax.Index):
            target, key = self.expr(node.target, strict), self.expr(node.key, strict)
            return self.call(
                target, "ftl_index", key, self.register(node.span), nodes.Const(strict)
            )
        if isinstance(node, syntax.Default):
            value = self.defaultable(node.target, strict)
            fallback = (
                nodes.Name(EMPTY, "load")
                if node.fallback is None
                else self.expr(node.fallback, strict)
            )
            return nodes.CondExpr(self.call(value, "ftl_exists"), value, fallback)
        if isinstance(node, syntax.Exists):
            return self.call(self.defaultable(node.target, strict), "ftl_exists")
        if isinstance(node, syntax.BuiltIn):
            return self.builtin(node, strict)
        if isinstance(node, syntax.Special):
            return self.special(node)
        if isinstance(node, syntax.StreamBuiltIn):
            return self.stream_builtin(node, strict)
        if isinstance(node, syntax.FunctionCall):
            return self.function_call(node, strict)
        if isinstance(node, syntax.NumericText):
            value = self.expr(node.expr, strict)
            low, high = nodes.Const(node.min_fraction), nodes.Const(node.max_fraction)
            return self.call(
                value, f"ftl_numeric_text{suffix}", low, high, self.register(node.span)
            )
        if isinstance(node, syntax.Logical):
            return self.logical(node, strict)
        return self.operation(node, suffix, strict)

    # Compiled by the statement compiler (`Compiler`), which knows the template's functions
    # and defines lambdas as statements: this base class never imports it.

    def function_call(self, node: syntax.FunctionCall, strict: bool) -> nodes.Expr:
        raise NotImplementedError

    def special(self, node: syntax.Special) -> nodes.Expr:
        raise NotImplementedError

    def stream_builtin(self, node: syntax.StreamBuiltIn, strict: bool) -> nodes.Expr:
        raise NotImplementedError

    def switch_builtin(self, node: syntax.BuiltIn, strict: bool) -> nodes.Expr:
        raise NotImplementedError

    def logical(self, node: syntax.Logical, strict: bool) -> nodes.Expr:
        operands = []
        for operand, falsy_missing in ((node.left, node.operator == "&&"), (node.right, False)):
            value, node_id = self.expr(operand, strict), self.register(operand.span)
            if strict:
                operands.append(self.call(value, "ftl_bool", node_id))
            else:
                flag = nodes.Const(falsy_missing)
                operands.append(self.call(value, "ftl_bool_lenient", node_id, flag))
        left, right = operands
        return nodes.And(left, right) if node.operator == "&&" else nodes.Or(left, right)

    def operation(self, node: syntax.Expr, suffix: str, strict: bool) -> nodes.Expr:
        node_id = self.register(node.span)
        if isinstance(node, syntax.Binary):
            left, right = self.expr(node.left, strict), self.expr(node.right, strict)
            if node.operator in ARITHMETIC:
                return self.call(left, f"ftl_{ARITHMETIC[node.operator]}{suffix}", right, node_id)
            return self.call(
                left, f"ftl_compare{suffix}", right, nodes.Const(node.operator), node_id
            )
        if isinstance(node, (syntax.Not, syntax.Negate)):
            name = "not" if isinstance(node, syntax.Not) else "negate"
            return self.call(self.expr(node.operand, strict), f"ftl_{name}{suffix}", node_id)
        if isinstance(node, syntax.Range):
            start = self.expr(node.start, strict)
            end = nodes.Const(None) if node.end is None else self.expr(node.end, strict)
            return self.call(start, f"ftl_range{suffix}", end, nodes.Const(node.kind), node_id)
        if isinstance(node, syntax.SequenceLiteral):
            if not node.items:
                return nodes.List([])
            items = [self.expr(item, strict) for item in node.items]
            return self.call(items[0], f"ftl_sequence{suffix}", *items[1:], node_id)
        if isinstance(node, syntax.HashLiteral):
            if not node.keys:
                return nodes.Dict([])
            pairs = [
                self.expr(part, strict)
                for pair in zip(node.keys, node.values, strict=True)
                for part in pair
            ]
            return self.call(pairs[0], f"ftl_hash{suffix}", *pairs[1:], node_id)
        assert isinstance(node, syntax.StringTemplate)
        parts: list[nodes.Expr] = []
        for part in node.parts:
            if isinstance(part, str):
                parts.append(nodes.Const(part))
            else:
                text = self.call(
                    self.expr(part, strict), f"ftl_text{suffix}", self.register(part.span)
                )
                parts.append(text)
        return self.call(parts[0], f"ftl_concat{suffix}", *parts[1:], node_id)

    def variable(self, node: syntax.Variable) -> nodes.Expr:
        return self.lookup(node.name, len(self.loops), self.register(node.span))

    def lookup(self, name: str, depth: int, node_id: nodes.Const) -> nodes.Expr:
        """`name` as seen inside the innermost `depth` loop scopes."""
        for at in reversed(range(depth)):
            loop = self.loops[at]
            if name in loop.names:
                value = nodes.Name(loop.names[name], "load")
                if loop.nested_content:
                    return self.call(value, "ftl_given_or", self.lookup(name, at, node_id))
                return self.call(value, "ftl_loop_var", node_id)
        return self.call(nodes.Name(STATE, "load"), "ftl_var", nodes.Const(name), node_id)

    def defaultable(self, target: syntax.Expr, strict: bool) -> nodes.Expr:
        """The left side of `!` or `??`: `(a.b.c)` tolerates a missing value anywhere inside,
        `a.b.c` only in its last step, as in FreeMarker."""
        if isinstance(target, syntax.Parenthesized):
            return self.expr(target.inner, strict=False)
        return self.expr(target, strict)

    def builtin(self, node: syntax.BuiltIn, strict: bool) -> nodes.Expr:
        if node.arity_error is not None:
            if node.name in LOOP_BUILTINS:
                self.loop_builtin(node)  # a loop variable is still checked when parsing
            target, message = self.expr(node.target, strict), nodes.Const(node.arity_error)
            suffix = "" if strict else "_lenient"
            return self.call(target, f"ftl_fail{suffix}", message, self.register(node.span))
        if node.name == "has_content":
            return self.call(self.defaultable(node.target, strict), "ftl_has_content")
        if node.name in LOOP_BUILTINS:
            return self.loop_builtin(node)
        if node.name == "then":
            return self.then(node, strict)
        if node.name == "switch":
            return self.switch_builtin(node, strict)
        suffix = "" if strict else "_lenient"
        target = self.expr(node.target, strict)
        args = [self.expr(arg, strict) for arg in node.args]
        name = "ftl_bi_" + node.name.replace(".", "_") + suffix
        return self.call(target, name, *args, self.register(node.span))

    def then(self, node: syntax.BuiltIn, strict: bool) -> nodes.Expr:
        """`test?then(a, b)` evaluates only the chosen side. Inside `(...)!default` a missing
        test passes on as missing (its expression is then evaluated twice, as `!` does)."""
        test = self.expr(node.target, strict)
        chosen = nodes.CondExpr(
            self.call(test, "ftl_bool", self.register(node.target.span)),
            self.expr(node.args[0], strict),
            self.expr(node.args[1], strict),
        )
        if strict:
            return chosen
        return nodes.CondExpr(self.call(test, "ftl_exists"), chosen, test)

    def loop_builtin(self, node: syntax.BuiltIn) -> nodes.Expr:
        resolved = None
        if isinstance(node.target, syntax.Variable):
            resolved = self.resolve_loop_name(node.target.name)
        if resolved is None or not resolved[0].state:  # a lambda's parameter has no state
            raise self.fail(f"?{node.name} needs a loop variable on its left", node.span)
        loop = resolved[0]
        loop.uses_state = True
        state = nodes.Name(loop.state, "load")
        if node.name == "item_cycle":
            args = [self.expr(arg, strict=True) for arg in node.args]
            return self.call(state, "ftl_item_cycle", *args)
        return self.call(state, "ftl_loop_state", nodes.Const(node.name))
