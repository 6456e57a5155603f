"""Parses macros: `<#macro>` definitions, `<@name .../>` calls, `<#nested>`, `<#return>`,
on top of the template parser (`parser`)."""

from __future__ import annotations

from . import statements, syntax
from .expressions import ExpressionParser
from .lexer import Kind
from .protocols import BlockParser
from .scanner import TagChunk


def parse_definition(parser: BlockParser, tag: TagChunk) -> statements.MacroDefinition:
    """`<#macro ...>` or `<#function ...>` (the same parameters)."""
    if parser.macro_depth:
        raise parser.map.fail("A macro can't be defined inside another macro", tag.start)
    expressions = ExpressionParser(parser.map, tag.tokens, tag.end)
    name = expressions.expect_name("a macro name").text
    params: list[str] = []
    defaults: list[syntax.Expr | None] = []
    catch_all = None
    while not expressions.at_end():
        if catch_all is not None:
            raise expressions.fail(f"The catch-all parameter {catch_all}... must come last")
        if expressions.at(","):
            expressions.advance()
        param = expressions.expect_name("a parameter name").text
        if param in params or param == catch_all:
            raise parser.map.fail(f"Parameter {param} is declared twice", tag.start)
        if _at_ellipsis(expressions):
            catch_all = param
            continue
        default = None
        if expressions.at("="):
            expressions.advance()
            default = expressions.parse_expression()
        elif any(d is not None for d in defaults):
            raise expressions.fail("A parameter without a default can't follow one with")
        params.append(param)
        defaults.append(default)
    parser.macro_depth += 1
    parser.in_function = tag.name == "function"
    body, _ = parser.block(frozenset({f"/{tag.name}"}))
    parser.macro_depth -= 1
    span = parser.span_of(tag)
    return statements.MacroDefinition(
        span, name, tuple(params), tuple(defaults), body, parser.in_function, catch_all
    )


def _at_ellipsis(expressions: ExpressionParser) -> bool:
    """`...` after a parameter name (the lexer gives `..` then `.`): consumed if there."""
    dots, dot = expressions.peek(), expressions.peek(1)
    if not (expressions.at("..") and dot.text == "." and dot.start == dots.end):
        return False
    expressions.advance()
    expressions.advance()
    return True


def parse_call(parser: BlockParser, tag: TagChunk) -> statements.MacroCall:
    name = tag.name[1:]
    expressions = ExpressionParser(parser.map, tag.tokens, tag.end)
    names: list[str] = []
    args: list[syntax.Expr] = []
    named = len(tag.tokens) > 1 and tag.tokens[1].kind is Kind.OPERATOR
    named = named and tag.tokens[1].text == "=" and tag.tokens[0].kind is Kind.NAME
    loop_vars: list[str] = []
    while not expressions.at_end():
        if expressions.at(";"):
            expressions.advance()
            loop_vars = _loop_variables(expressions)
            break
        if args and expressions.at(","):
            expressions.advance()
        if named:
            names.append(expressions.expect_name("an argument name").text)
            expressions.expect("=")
        args.append(expressions.parse_expression())
    body = None
    if not tag.self_closing:
        body, _ = parser.block(frozenset({f"/@{name}", "/@"}))
    span = parser.span_of(tag)
    return statements.MacroCall(span, name, tuple(names), tuple(args), body, tuple(loop_vars))


def _loop_variables(expressions: ExpressionParser) -> list[str]:
    """`; x, y` (commas needed; none at all is allowed, as in FreeMarker)."""
    names: list[str] = []
    while not expressions.at_end():
        if names:
            expressions.expect(",")
        names.append(expressions.expect_name("a loop variable name").text)
    return names


def parse_control(parser: BlockParser, tag: TagChunk) -> statements.MacroControl:
    if not parser.macro_depth:
        raise parser.map.fail(f"<#{tag.name}> can only be used inside a macro", tag.start)
    if parser.in_function:
        if tag.name == "nested" or not tag.tokens:
            raise parser.map.fail(f"<#{tag.name}> needs a value in a function", tag.start)
        value = ExpressionParser(parser.map, tag.tokens, tag.end).parse_complete()
        return statements.MacroControl(parser.span_of(tag), tag.name, value)
    if tag.name == "return":
        if tag.tokens:
            raise parser.map.fail("<#return> takes no value in a macro", tag.tokens[0].start)
        return statements.MacroControl(parser.span_of(tag), tag.name)
    expressions = ExpressionParser(parser.map, tag.tokens, tag.end)
    values: list[syntax.Expr] = []
    while not expressions.at_end():
        if values and expressions.at(","):
            expressions.advance()
        values.append(expressions.parse_expression())
    return statements.MacroControl(parser.span_of(tag), tag.name, loop_values=tuple(values))
