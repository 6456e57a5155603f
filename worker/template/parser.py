"""Parses a whole template: directives and their nesting, on top of the scanner's chunks.

Supported directives: if/elseif/else, list (with sep, else, items), assign, break, continue,
switch (case/on/default), global, attempt/recover, compress, noparse (in the scanner),
t/lt/rt/nt, comments. Anything else FreeMarker knows, or does not know, is a syntax error
here, as an unknown directive is in FreeMarker.
"""

from __future__ import annotations

from . import parse_macros, statements, syntax
from .expressions import ExpressionParser
from .lexer import Kind, SourceMap, Token
from .limits import MAX_DIRECTIVE_NESTING_DEPTH
from .parse_lambdas import lazy
from .scanner import Chunk, CommentChunk, InterpolationChunk, TagChunk, TextChunk, scan
from .whitespace import strip_whitespace

_SUPPORTED = frozenset(
    {"if", "elseif", "else", "list", "items", "sep", "assign", "global", "break", "continue"}
    | {"switch", "attempt", "compress", "t", "lt", "rt", "nt", "macro", "nested", "return"}
    | {"local", "function", "setting"}
)
# FreeMarker's `<#setting>` names but `c_format` and `classic_compatible`, in either spelling.
_SETTINGS = frozenset(
    {"locale", "time_zone", "number_format", "boolean_format", "date_format", "time_format"}
    | {"datetime_format", "url_escaping_charset", "output_encoding", "sql_date_and_time_time_zone"}
)
_CAMEL_CASE_SETTINGS = {
    "".join(word.capitalize() if i else word for i, word in enumerate(name.split("_"))): name
    for name in _SETTINGS
}
_SWITCH_CLOSERS = frozenset({"case", "on", "default", "/switch"})
_ASSIGN_OPERATORS = frozenset({"=", "+=", "-=", "*=", "/=", "%="})


def parse_template(source: str) -> tuple[statements.Statement, ...]:
    source_map = SourceMap(source)
    parser = _TemplateParser(source_map, scan(source_map))
    body, closer = parser.block(frozenset())
    assert closer is None
    return strip_whitespace(body, source_map)


class _TemplateParser:
    def __init__(self, source_map: SourceMap, chunks: list[Chunk]) -> None:
        self.map = source_map
        self.chunks = chunks
        self.pos = 0
        self.depth = 0
        self.macro_depth = 0  # inside a <#macro> body: <#nested>, <#return>, <#local> allowed
        self.in_function = False  # ... and that body is a <#function>'s

    def block(
        self, closers: frozenset[str]
    ) -> tuple[tuple[statements.Statement, ...], TagChunk | None]:
        """Statements up to one of `closers` (`else`, `/if`, ...), which is consumed and
        returned; `None` means the end of the template."""
        parsed: list[statements.Statement] = []
        while self.pos < len(self.chunks):
            chunk = self.chunks[self.pos]
            self.pos += 1
            if isinstance(chunk, TextChunk):
                parsed.append(statements.Text(chunk.text, chunk.start))
            elif isinstance(chunk, CommentChunk):
                parsed.append(statements.Comment(self._span(chunk)))
            elif isinstance(chunk, InterpolationChunk):
                expr: syntax.Expr
                if chunk.numeric:
                    parser = ExpressionParser(self.map, chunk.tokens, chunk.end - 1)
                    expr = parser.parse_numeric(chunk.start)
                else:
                    expr = self._expression(chunk.tokens, chunk.end - 1)
                if isinstance(expr, syntax.SequenceLiteral):
                    raise self.map.fail("A sequence literal can't be printed", chunk.start)
                if isinstance(expr, syntax.HashLiteral):
                    raise self.map.fail("A hash literal can't be printed", expr.span.start)
                parsed.append(statements.Interpolation(self._span(chunk), expr))
            elif isinstance(chunk, TagChunk):
                key = ("/" if chunk.closing else "") + chunk.name
                if key in closers:
                    return tuple(parsed), chunk
                if chunk.name == "sep" and not chunk.closing:
                    body, closer = self.block(closers | {"/sep"})
                    parsed.append(statements.SepBlock(self._span(chunk), body))
                    if closer is None or closer.name != "sep":
                        return tuple(parsed), closer
                    continue
                parsed.append(self._directive(chunk))
        if closers - {"/sep"}:  # </#sep> is optional
            expected = " or ".join(
                f"</#{c[1:]}>" if c.startswith("/") else f"<#{c}>"
                for c in sorted(closers - {"/sep"})
            )
            raise self.map.fail(
                f"Unexpected end of template: expected {expected}", len(self.map.source)
            )
        return tuple(parsed), None

    def _directive(self, tag: TagChunk) -> statements.Statement:
        if tag.closing or tag.name in ("else", "elseif", "case", "on", "default", "recover"):
            raise self.map.fail(f"Unexpected {self._show(tag)} here", tag.start)
        if tag.name.startswith("@"):
            return parse_macros.parse_call(self, tag)
        if tag.name not in _SUPPORTED:
            raise self.map.fail(f"Unknown or unsupported directive <#{tag.name}>", tag.start)
        self.depth += 1
        if self.depth > MAX_DIRECTIVE_NESTING_DEPTH:
            raise self.map.fail("Directives are nested too deeply", tag.start)
        if tag.name == "if":
            statement: statements.Statement = self._if(tag)
        elif tag.name == "list":
            statement = self._list(tag)
        elif tag.name == "items":
            statement = self._items(tag)
        elif tag.name in ("assign", "global", "local"):
            if tag.name == "local" and not self.macro_depth:
                raise self.map.fail("<#local> can only be used inside a macro", tag.start)
            statement = self._assign(tag)
        elif tag.name == "setting":
            statement = self._setting(tag)
        elif tag.name in ("macro", "function"):
            statement = parse_macros.parse_definition(self, tag)
        elif tag.name in ("nested", "return"):
            statement = parse_macros.parse_control(self, tag)
        elif tag.name == "attempt":
            self._no_parameters(tag)
            body, recover = self.block(frozenset({"recover"}))
            assert recover is not None
            self._no_parameters(recover)
            recovery, _ = self.block(frozenset({"/attempt"}))
            statement = statements.AttemptBlock(self._span(tag), body, recovery)
        elif tag.name in ("t", "lt", "rt", "nt"):
            self._no_parameters(tag)
            left, right = tag.name in ("t", "lt"), tag.name in ("t", "rt")
            statement = statements.TrimDirective(self._span(tag), left, right)
        elif tag.name == "compress":
            self._no_parameters(tag)
            body, _ = self.block(frozenset({"/compress"}))
            statement = statements.CompressBlock(self._span(tag), body)
        elif tag.name == "switch":
            statement = self._switch(tag)
        else:
            self._no_parameters(tag)
            statement = statements.LoopControl(self._span(tag), tag.name)
        self.depth -= 1
        return statement

    def _if(self, tag: TagChunk) -> statements.IfBlock:
        branches = []
        condition = self._expression(tag.tokens, tag.end, tag)
        while True:
            body, closer = self.block(frozenset({"elseif", "else", "/if"}))
            branches.append((condition, body))
            assert closer is not None
            if closer.name == "elseif":
                condition = self._expression(closer.tokens, closer.end, closer)
                continue
            otherwise: tuple[statements.Statement, ...] = ()
            if closer.name == "else":
                self._no_parameters(closer)
                otherwise, _ = self.block(frozenset({"/if"}))
            return statements.IfBlock(self._span(tag), tuple(branches), otherwise)

    def _switch(self, tag: TagChunk) -> statements.SwitchBlock:
        value = self._expression(tag.tokens, tag.end, tag)
        before, closer = self.block(_SWITCH_CLOSERS)
        for statement in before:  # only white-space and comments may come before a case
            if not isinstance(statement, statements.Comment) and not (
                isinstance(statement, statements.Text) and not statement.text.strip()
            ):
                raise self.map.fail(
                    "Only <#case>, <#on> or <#default> may follow <#switch>", tag.start
                )
        cases: list[statements.SwitchCase] = []
        kinds: set[str] = set()
        while closer is not None and not closer.closing:
            if closer.name == "default":
                self._no_parameters(closer)
                if "default" in kinds:
                    raise self.map.fail("<#switch> has one <#default> at most", closer.start)
                values: tuple[syntax.Expr, ...] = ()
            else:
                if "case" in kinds | {closer.name} and "on" in kinds | {closer.name}:
                    raise self.map.fail("<#case> and <#on> can't be mixed", closer.start)
                if closer.name == "on" and "default" in kinds:
                    raise self.map.fail("<#default> must come last with <#on>", closer.start)
                values = self._case_values(closer)
            kinds.add(closer.name)
            start = closer
            body, closer = self.block(_SWITCH_CLOSERS)
            cases.append(statements.SwitchCase(self._span(start), values, body))
        if closer is None:
            raise self.map.fail(
                "Unexpected end of template: expected </#switch>", len(self.map.source)
            )
        on_style = "on" in kinds
        if on_style and any(self._breaks(case.body) for case in cases):
            raise self.map.fail("<#break> can't be used with <#on>", tag.start)
        return statements.SwitchBlock(self._span(tag), value, tuple(cases), not on_style)

    def _setting(self, tag: TagChunk) -> statements.SettingDirective:
        parser = ExpressionParser(self.map, tag.tokens, tag.end)
        name = parser.expect_name("a setting name")
        setting = _CAMEL_CASE_SETTINGS.get(name.text, name.text)
        if setting not in _SETTINGS:
            raise self.map.fail(f"The {name.text} setting is not supported", name.start)
        parser.expect("=")
        value = parser.parse_complete()
        return statements.SettingDirective(self._span(tag), setting, value)

    def _case_values(self, tag: TagChunk) -> tuple[syntax.Expr, ...]:
        parser = ExpressionParser(self.map, tag.tokens, tag.end)
        if not tag.tokens:
            raise self.map.fail(f"<#{tag.name}> needs a value", tag.start)
        values = [parser.parse_expression()]
        while tag.name == "on" and parser.at(","):
            parser.advance()
            values.append(parser.parse_expression())
        if not parser.at_end():
            raise parser.fail(f"Unexpected token in <#{tag.name}>")
        return tuple(values)

    @staticmethod
    def _breaks(body: tuple[statements.Statement, ...]) -> bool:
        """Whether a `<#break>` in `body` would leave the switch (not an inner list)."""
        for statement in body:
            if isinstance(statement, statements.LoopControl) and statement.keyword == "break":
                return True
            if isinstance(statement, statements.IfBlock):
                branches = [b for _, b in statement.branches] + [statement.otherwise]
                if any(_TemplateParser._breaks(b) for b in branches):
                    return True
        return False

    def _list(self, tag: TagChunk) -> statements.ListBlock:
        parser = ExpressionParser(self.map, tag.tokens, tag.end)
        if not tag.tokens:
            raise self.map.fail("<#list> needs a value to list", tag.start)
        source = lazy(parser.parse_expression())
        loop_vars = self._loop_vars(parser, tag) if parser.at("as") else None
        if not parser.at_end():
            raise parser.fail("Expected 'as' or the end of <#list>")
        body, closer = self.block(frozenset({"else", "/list"}))
        otherwise: tuple[statements.Statement, ...] = ()
        if closer is not None and closer.name == "else":
            self._no_parameters(closer)
            otherwise, _ = self.block(frozenset({"/list"}))
        if loop_vars is None:
            items = [s for s in body if isinstance(s, statements.ItemsBlock)]
            if len(items) != 1:
                raise self.map.fail("<#list> without 'as' needs exactly one <#items>", tag.start)
        return statements.ListBlock(self._span(tag), source, loop_vars, body, otherwise)

    def _items(self, tag: TagChunk) -> statements.ItemsBlock:
        parser = ExpressionParser(self.map, tag.tokens, tag.end)
        if not parser.at("as"):
            raise parser.fail("Expected 'as' in <#items>")
        loop_vars = self._loop_vars(parser, tag)
        if not parser.at_end():
            raise parser.fail("Unexpected token in <#items>")
        body, _ = self.block(frozenset({"/items"}))
        return statements.ItemsBlock(self._span(tag), loop_vars, body)

    def _loop_vars(self, parser: ExpressionParser, tag: TagChunk) -> statements.LoopVars:
        parser.advance()
        item = parser.expect_name("a loop variable name").text
        value = None
        if parser.at(","):
            parser.advance()
            value = parser.expect_name("a second loop variable name").text
        return statements.LoopVars(self._span(tag), item, value)

    def _assign(self, tag: TagChunk) -> statements.AssignDirective:
        parser = ExpressionParser(self.map, tag.tokens, tag.end)
        assignments = []
        while not parser.at_end():
            name_token = parser.expect_name("a variable name")
            start = name_token.start
            operator = parser.advance()
            if operator.kind is not Kind.OPERATOR:
                raise parser.fail("Expected '=' after the variable name", operator)
            value = None
            if operator.text in _ASSIGN_OPERATORS:
                value = parser.parse_expression()
            elif operator.text not in ("++", "--"):
                raise parser.fail("Expected '=' after the variable name", operator)
            span = parser.span(start)
            is_global, is_local = tag.name == "global", tag.name == "local"
            assignments.append(
                statements.Assignment(
                    span, name_token.text, operator.text, value, is_global, is_local
                )
            )
            if parser.at(","):
                parser.advance()
        if not assignments:
            raise self.map.fail(
                "<#assign> needs name = value (capturing form is not supported)", tag.start
            )
        return statements.AssignDirective(self._span(tag), tuple(assignments))

    def _expression(
        self, tokens: tuple[Token, ...], end: int, tag: TagChunk | None = None
    ) -> syntax.Expr:
        if not tokens:
            raise self.map.fail("Expected an expression", tag.start if tag else end)
        return ExpressionParser(self.map, tokens, end).parse_complete()

    def _no_parameters(self, tag: TagChunk) -> None:
        if tag.tokens:
            raise self.map.fail(f"{self._show(tag)} takes no parameters", tag.tokens[0].start)

    def span_of(self, chunk: TagChunk) -> syntax.Span:
        return self._span(chunk)

    def _span(self, chunk: TagChunk | InterpolationChunk | CommentChunk) -> syntax.Span:
        line, column = self.map.position(chunk.start)
        return syntax.Span(chunk.start, chunk.end, line, column)

    @staticmethod
    def _show(tag: TagChunk) -> str:
        mark = "@" if tag.name.startswith("@") else "#"
        return f"</{mark}{tag.name.lstrip('@')}>" if tag.closing else f"<{mark}{tag.name}>"
