"""Parses macros: `<#macro>` definitions, `<@name .../>` calls, `<#nested>`, `<#return>`,
on top of the template parser (`parser`)."""

from __future__ import annotations

from . import syntax
from .expressions import ExpressionParser
from .lexer import Kind
from .protocols import BlockParser
from .scanner import TagChunk


def parse_definition(parser: BlockParser, tag: TagChunk) -> syntax.MacroDefinition:
    """`<#macro ...>` or `<#function ...>` (the same parameters)."""
    if parser.macro_depth:
        raise parser.map.fail("A macro can't be defined inside another macro", tag.start)
    expressions = ExpressionParser(parser.map, tag.tokens, tag.end)
    name = expressions.expect_name("a macro name").text
    params: list[str] = []
    defaults: list[syntax.Expr | None] = []
    while not expressions.at_end():
        if expressions.at(","):
            expressions.advance()
        param = expressions.expect_name("a parameter name").text
        if expressions.at("..."):
            raise expressions.fail("Catch-all macro parameters (name...) are not supported")
        if param in params:
            raise parser.map.fail(f"Parameter {param} is declared twice", tag.start)
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
    return syntax.MacroDefinition(
        span, name, tuple(params), tuple(defaults), body, parser.in_function
    )


def parse_call(parser: BlockParser, tag: TagChunk) -> syntax.MacroCall:
    name = tag.name[1:]
    expressions = ExpressionParser(parser.map, tag.tokens, tag.end)
    names: list[str] = []
    args: list[syntax.Expr] = []
    named = len(tag.tokens) > 1 and tag.tokens[1].kind is Kind.OPERATOR
    named = named and tag.tokens[1].text == "=" and tag.tokens[0].kind is Kind.NAME
    while not expressions.at_end():
        if expressions.at(";"):
            raise expressions.fail("Loop variables of nested content (; x) are not supported")
        if args and expressions.at(","):
            expressions.advance()
        if named:
            names.append(expressions.expect_name("an argument name").text)
            expressions.expect("=")
        args.append(expressions.parse_expression())
    body = None
    if not tag.self_closing:
        body, _ = parser.block(frozenset({f"/@{name}", "/@"}))
    return syntax.MacroCall(parser.span_of(tag), name, tuple(names), tuple(args), body)


def parse_control(parser: BlockParser, tag: TagChunk) -> syntax.MacroControl:
    if not parser.macro_depth:
        raise parser.map.fail(f"<#{tag.name}> can only be used inside a macro", tag.start)
    if parser.in_function:
        if tag.name == "nested" or not tag.tokens:
            raise parser.map.fail(f"<#{tag.name}> needs a value in a function", tag.start)
        value = ExpressionParser(parser.map, tag.tokens, tag.end).parse_complete()
        return syntax.MacroControl(parser.span_of(tag), tag.name, value)
    if tag.tokens:
        what = "Loop variables for nested content" if tag.name == "nested" else "Return values"
        raise parser.map.fail(f"{what} are not supported", tag.tokens[0].start)
    return syntax.MacroControl(parser.span_of(tag), tag.name)
