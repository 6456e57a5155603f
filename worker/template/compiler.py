"""Compiles the FreeMarker parse tree into a `jinja2.nodes` tree.

Jinja provides the control flow (output, if, for); every value operation is one of the
runtime filters, so FreeMarker's semantics (missing values, number format, dict-only lookups)
hold and no jinja attribute access or call on metadata is ever emitted. Template text becomes
`TemplateData`, so `{{ }}` or `{% %}` in it stays literal.
"""

from __future__ import annotations

from jinja2 import nodes

from . import compile_held, compile_lambdas, compile_macros, compile_switch, statements, syntax
from .compile_expressions import ARITHMETIC, EMPTY, STATE, ExpressionCompiler, LoopScope, NodeInfo

__all__ = ["EMPTY", "STATE", "Compiler", "NodeInfo"]


class Compiler(ExpressionCompiler):
    def compile(self, body: tuple[statements.Statement, ...]) -> nodes.Template:
        for name, definition in compile_macros.definitions(body).items():
            self.macros[name] = (self.fresh("macro"), definition)
        defined: list[nodes.Node] = []
        for jinja_name, definition in self.macros.values():
            macro = compile_macros.define(self, self.block, definition, jinja_name)
            defined += [*self.lambdas, macro]  # lambdas of its parameters' defaults first
            self.lambdas = []
        # Jinja folds outputs of constant expressions when compiling (`${1234.5}` would be
        # formatted once, for no locale and outside the budget): a volatile evaluation
        # context turns that off.
        volatile = nodes.EvalContextModifier([nodes.Keyword("volatile", nodes.Const(True))])
        tree = nodes.Template([volatile, *defined, *self.block(body)], lineno=1)
        tree.set_lineno(1)
        return tree

    # ---- statements ----

    def block(self, body: tuple[statements.Statement, ...]) -> list[nodes.Node]:
        compiled: list[nodes.Node] = []
        for statement in body:
            compiled += self.leaving_statement(statement)
        return compiled

    def leaving_statement(self, node: statements.Statement) -> list[nodes.Node]:
        """The statement, after the lambdas it uses (jinja macros defined just before it),
        then, if a macro's `<#return>` may run inside it, a check that leaves when it did
        (see `compile_macros.one_pass`)."""
        outer, self.lambdas = self.lambdas, []
        exits = self.macro_exits
        statement = self.statement(node)
        compiled = [*self.lambdas, statement]
        self.lambdas = outer
        returned = isinstance(node, statements.MacroControl) and node.keyword == "return"
        if self.macro_exits > exits and not returned:  # (a `<#return>` itself just left)
            compiled.append(compile_macros.leave_if_returning())
        return compiled

    def statement(self, node: statements.Statement) -> nodes.Node:
        if isinstance(node, statements.Text):
            if self.buffering:
                return nodes.Output([self.buffered(nodes.Const(node.text))])
            return nodes.Output([nodes.TemplateData(node.text)])
        if isinstance(node, (statements.Comment, statements.TrimDirective)):
            return nodes.Output([])
        if isinstance(node, statements.Interpolation):
            value = self.expr(node.expr, strict=True)
            printed = self.call(value, "ftl_print", self.register(node.expr.span))
            return nodes.Output([self.buffered(printed) if self.buffering else printed])
        if isinstance(node, (statements.AttemptBlock, statements.CompressBlock)):
            return compile_held.held_block(self, self.block, node)
        if isinstance(node, statements.SettingDirective):
            value, name = self.expr(node.value, strict=True), nodes.Const(node.name)
            return nodes.Output([self.call(value, "ftl_setting", name, self.register(node.span))])
        if isinstance(node, statements.MacroDefinition):
            return nodes.Output([])  # defined before the first statement (see compile)
        if isinstance(node, statements.MacroCall):
            return compile_macros.call(self, self.block, node)
        if isinstance(node, statements.MacroControl):
            return compile_macros.control(self, node)
        if isinstance(node, statements.IfBlock):
            return self.if_block(node)
        if isinstance(node, statements.ListBlock):
            return self.list_block(node)
        if isinstance(node, statements.AssignDirective):
            return nodes.Scope([self.assignment(a) for a in node.assignments])
        if isinstance(node, statements.SepBlock):
            lists = [loop for loop in self.loops if not loop.nested_content]
            if not lists:
                raise self.fail("<#sep> must be inside <#list ... as x> or <#items>", node.span)
            loop = lists[-1]
            loop.uses_state = True
            has_next = self.call(nodes.Name(loop.state, "load"), "ftl_loop_state")
            has_next.args.append(nodes.Const("has_next"))
            return nodes.If(has_next, self.block(node.body), [], [])
        if isinstance(node, statements.LoopControl):
            if not self.loops and not (
                self.breakables[-1:] == ["switch"] and node.keyword == "break"
            ):
                raise self.fail(f"<#{node.keyword}> must be inside a loop", node.span)
            if self.breakables[-1] in ("held", "macro"):
                message = f"<#{node.keyword}> can't leave a macro or <#attempt>/<#compress> block"
                raise self.fail(message, node.span)
            # Inside a <#switch>, both leave the switch (its body runs as a one-pass loop).
            return nodes.Break() if node.keyword == "break" else nodes.Continue()
        if isinstance(node, statements.SwitchBlock):
            return self.switch(node)
        raise self.fail("<#items> must be directly inside <#list> without 'as'", node.span)

    def function_call(self, node: syntax.FunctionCall, strict: bool) -> nodes.Expr:
        return compile_macros.function_call(self, node, strict)

    def special(self, node: syntax.Special) -> nodes.Expr:
        return compile_lambdas.special(self, node)

    def stream_builtin(self, node: syntax.StreamBuiltIn, strict: bool) -> nodes.Expr:
        return compile_lambdas.stream_builtin(self, node, strict)

    def switch_builtin(self, node: syntax.BuiltIn, strict: bool) -> nodes.Expr:
        return compile_switch.switch_builtin(self, node, strict)

    def if_block(self, node: statements.IfBlock) -> nodes.If:
        tests = []
        for condition, body in node.branches:
            test = self.call(self.expr(condition, True), "ftl_bool", self.register(condition.span))
            tests.append(nodes.If(test, self.block(body), [], []))
        first = tests[0]
        first.elif_ = tests[1:]
        first.else_ = self.block(node.otherwise)
        return first

    def buffered(self, output: nodes.Expr) -> nodes.Expr:
        return self.call(nodes.Name(STATE, "load"), "ftl_buffer", output)

    def switch(self, node: statements.SwitchBlock) -> nodes.Node:
        """The value is evaluated once, then the cases' values in order up to the first
        match. The bodies run inside a one-pass loop, so that <#break> leaves the switch."""
        value = self.fresh("switch")
        stored = [nodes.Assign(nodes.Name(value, "store"), self.expr(node.value, strict=True))]
        self.breakables.append("switch")
        bodies = [self.block(case.body) for case in node.cases]
        self.breakables.pop()
        matches = [self.switch_match(value, case) for case in node.cases]
        default = next((i for i, case in enumerate(node.cases) if not case.values), None)
        if node.falls_through:
            first = self.fresh("first")
            chosen: nodes.Expr = nodes.Const(len(node.cases) if default is None else default)
            for index in reversed(range(len(node.cases))):
                match = matches[index]
                if match is not None:
                    chosen = nodes.CondExpr(match, nodes.Const(index), chosen)
            stored.append(nodes.Assign(nodes.Name(first, "store"), chosen))
            run: list[nodes.Node] = []
            for index, body in enumerate(bodies):
                reached: nodes.Expr = nodes.Compare(
                    nodes.Name(first, "load"), [nodes.Operand("lteq", nodes.Const(index))]
                )
                if default is not None and index > default:
                    # Reached through <#default> (nothing matched), only its own body runs.
                    not_default = nodes.Compare(
                        nodes.Name(first, "load"), [nodes.Operand("ne", nodes.Const(default))]
                    )
                    reached = nodes.And(reached, not_default)
                run.append(nodes.If(reached, body, [], []))
        else:
            tests = [
                nodes.If(match, body, [], [])
                for match, body in zip(matches, bodies, strict=True)
                if match is not None
            ]
            otherwise = [] if default is None else bodies[default]
            if not tests:
                run = otherwise
            else:
                tests[0].elif_, tests[0].else_ = tests[1:], otherwise
                run = [tests[0]]
        once = nodes.For(
            nodes.Name(self.fresh("once"), "store"),
            nodes.List([nodes.Const(0)]),
            run,
            [],
            None,
            False,
        )
        return nodes.Scope([*stored, once])

    def switch_match(self, value: str, case: statements.SwitchCase) -> nodes.Expr | None:
        """Whether the switch's value equals one of the case's values (FreeMarker's `==`)."""
        tests: list[nodes.Expr] = []
        for expected in case.values:
            tests.append(
                self.call(
                    nodes.Name(value, "load"),
                    "ftl_compare",
                    self.expr(expected, strict=True),
                    nodes.Const("=="),
                    self.register(expected.span),
                )
            )
        if not tests:
            return None
        result = tests[0]
        for test in tests[1:]:
            result = nodes.Or(result, test)
        return result

    def list_block(self, node: statements.ListBlock) -> nodes.Node:
        source = self.expr(node.source, strict=True)
        source_id = self.register(node.source.span)
        if node.loop_vars is not None and not node.otherwise:
            return self.loop(
                node.loop_vars, self.iterator(source, node.loop_vars, source_id), node.body
            )
        # With <#else> or <#items>, the value is listed once and tested first: <#else> runs
        # only for an empty list (jinja's for-else would also run it after a <#continue>).
        listed = self.fresh("sequence")
        iterate = self.call(
            nodes.Name(STATE, "load"), "ftl_iterate", nodes.Name(listed, "load"), source_id
        )
        if node.loop_vars is not None:
            loop_vars = node.loop_vars
            body: list[nodes.Node] = [self.loop(loop_vars, iterate, node.body)]
        else:
            loop_vars = next(s for s in node.body if isinstance(s, statements.ItemsBlock)).loop_vars
            body = []
            for s in node.body:
                if isinstance(s, statements.ItemsBlock):
                    exits = self.macro_exits
                    body.append(self.loop(s.loop_vars, iterate, s.body))
                    if self.macro_exits > exits:
                        body.append(compile_macros.leave_if_returning())
                else:
                    body += self.leaving_statement(s)
        pairs = nodes.Const(loop_vars.value is not None)
        listable = self.call(source, "ftl_listable", pairs, source_id)
        nonempty = self.call(nodes.Name(listed, "load"), "ftl_nonempty")
        return nodes.Scope(
            [
                nodes.Assign(nodes.Name(listed, "store"), listable),
                nodes.If(nonempty, body, [], self.block(node.otherwise)),
            ]
        )

    def iterator(
        self, source: nodes.Expr, loop_vars: statements.LoopVars, node_id: nodes.Const
    ) -> nodes.Expr:
        name = "ftl_iterate_pairs" if loop_vars.value is not None else "ftl_iterate"
        return self.call(nodes.Name(STATE, "load"), name, source, node_id)

    def loop(
        self,
        loop_vars: statements.LoopVars,
        iterator: nodes.Expr,
        loop_body: tuple[statements.Statement, ...],
    ) -> nodes.For:
        loop = LoopScope(self.fresh("item"), None, self.fresh("loop"))
        loop.names[loop_vars.item] = loop.item
        target: nodes.Expr = nodes.Name(loop.item, "store")
        if loop_vars.value is not None:
            loop.value = self.fresh("value")
            loop.names[loop_vars.value] = loop.value
            target = nodes.Tuple([target, nodes.Name(loop.value, "store")], "store")
        self.loops.append(loop)
        self.breakables.append("list")
        nodes_before = len(self.node_infos)
        body = self.block(loop_body)
        self.breakables.pop()
        self.loops.pop()
        # Each iteration pays for every node of its body up front (see budget.py).
        body_nodes = len(self.node_infos) - nodes_before + len(loop_body)
        assert isinstance(iterator, nodes.Filter)
        iterator = nodes.Filter(
            iterator.node, iterator.name, [*iterator.args, nodes.Const(body_nodes)], [], None, None
        )
        if loop.uses_state:
            body.insert(
                0, nodes.Assign(nodes.Name(loop.state, "store"), nodes.Name("loop", "load"))
            )
        return nodes.For(target, iterator, body, [], None, False)

    def assignment(self, node: statements.Assignment) -> nodes.Node:
        node_id = self.register(node.span)
        if node.operator == "=":
            assert node.value is not None
            value = self.expr(node.value, strict=True)
        else:
            # FreeMarker reads the target from the template's own variables only: `+=` on
            # a metadata value is a missing-value error.
            state = nodes.Name(STATE, "load")
            scope = nodes.Const(_scope(node))
            current = self.call(state, "ftl_assigned", nodes.Const(node.name), node_id, scope)
            operand = nodes.Const(1) if node.value is None else self.expr(node.value, True)
            operation = "increment" if node.operator == "++" else ARITHMETIC[node.operator[0]]
            value = self.call(current, f"ftl_{operation}", operand, node_id)
        state = nodes.Name(STATE, "load")
        return nodes.ExprStmt(
            self.call(
                state,
                "ftl_assign",
                nodes.Const(node.name),
                value,
                node_id,
                nodes.Const(_scope(node)),
            )
        )


def _scope(node: statements.Assignment) -> str:
    return "global" if node.is_global else "local" if node.is_local else "assign"
