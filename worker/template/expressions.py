"""Recursive-descent parser for FreeMarker expressions, with FreeMarker's precedence.

Lowest to highest: `||`, `&&`, equality, relational, `..` ranges, `+ -`, `* / %`, unary
`! - +`, then postfix `.key`, `[key]`, `?builtin`, `!default`, `??`. A default's right side
is a whole expression, so `x!1 + y` means `x!(1 + y)`.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from . import syntax
from .lexer import Embedded, Kind, SourceMap, Token
from .limits import MAX_EXPRESSION_DEPTH
from .literal_checks import literal_kind, misused_literal
from .number_patterns import fraction_digits
from .parse_builtins import parse_builtin
from .parse_lambdas import lazy
from .special_variables import parse_special

_RELATIONAL = {"<": "<", "<=": "<=", ">": ">", ">=": ">=", "lt": "<", "lte": "<="}
_RELATIONAL |= {"gt": ">", "gte": ">="}
_EQUALITY = {"==": "==", "=": "==", "!=": "!="}
_RANGE_KINDS = {"..": "inclusive", "..<": "exclusive", "..!": "exclusive", "..*": "length"}
_KEYWORDS = frozenset({"gt", "gte", "lt", "lte", "as", "in", "using"})


class ExpressionParser:
    def __init__(self, source_map: SourceMap, tokens: tuple[Token, ...], end: int) -> None:
        self.map = source_map
        self.tokens = tokens
        self.pos = 0
        self._end_offset = end
        self._nesting = 0

    # ---- token helpers ----

    def peek(self, ahead: int = 0) -> Token:
        index = self.pos + ahead
        if index < len(self.tokens):
            return self.tokens[index]
        return Token(Kind.END, "", self._end_offset, self._end_offset)

    def at(self, *texts: str) -> bool:
        token = self.peek()
        return token.kind in (Kind.OPERATOR, Kind.NAME) and token.text in texts

    def advance(self) -> Token:
        token = self.peek()
        self.pos += 1
        return token

    def expect(self, text: str) -> Token:
        if not self.at(text):
            raise self.fail(f"Expected {text!r}")
        return self.advance()

    def expect_name(self, what: str) -> Token:
        token = self.peek()
        if token.kind is not Kind.NAME or token.text in _KEYWORDS:
            raise self.fail(f"Expected {what}")
        return self.advance()

    def fail(self, message: str, token: Token | None = None) -> Exception:
        token = token or self.peek()
        found = "the end of the expression" if token.kind is Kind.END else repr(token.text)
        return self.map.fail(f"{message}, found {found}", token.start)

    def span(self, start: int) -> syntax.Span:
        end = self.tokens[self.pos - 1].end if self.pos else start
        line, column = self.map.position(start)
        return syntax.Span(start, end, line, column)

    def at_end(self) -> bool:
        return self.pos >= len(self.tokens)

    def starts_expression(self, ahead: int = 0) -> bool:
        """Whether an expression can start here; a run of unary operators must be followed
        by one (so the second `!` of `x!!` is a default of its own, as in FreeMarker)."""
        token = self.peek(ahead)
        if token.kind in (Kind.NUMBER, Kind.STRING):
            return True
        if token.kind is Kind.NAME:
            return token.text not in _KEYWORDS
        if token.kind is Kind.OPERATOR and token.text in ("-", "+", "!"):
            return self.starts_expression(ahead + 1)
        return token.kind is Kind.OPERATOR and token.text in ("(", "[", "{")

    # ---- grammar ----

    def parse_complete(self) -> syntax.Expr:
        expr = self.parse_expression()
        if not self.at_end():
            raise self.fail("Unexpected token after the expression")
        return expr

    def parse_numeric(self, start: int) -> syntax.NumericText:
        """The inside of a legacy `#{expr}` or `#{expr; m2M3}` (m: minimum, M: maximum
        fraction digits)."""
        expr = self.parse_expression()
        if isinstance(expr, syntax.Literal) and not isinstance(expr.value, Decimal):
            raise self.map.fail("#{...} needs a number", expr.span.start)
        low, high = 0, 50
        if self.at(";"):
            self.advance()
            spec = self.advance()
            digits = fraction_digits(spec.text) if spec.kind is Kind.NAME else None
            if digits is None:
                raise self.fail("Invalid #{...} format (expected e.g. m2M3, at most 50)", spec)
            low, high = digits
        if not self.at_end():
            raise self.fail("Unexpected token after the expression")
        return syntax.NumericText(self.span(start), expr, low, high)

    def parse_expression(self) -> syntax.Expr:
        self._nesting += 1
        if self._nesting > MAX_EXPRESSION_DEPTH:
            raise self.fail("Expression is nested too deeply")
        expr = self._logical("||", self._and)
        self._nesting -= 1
        if self._nesting == 0:
            # Left-associative chains (`a + b + c ...`) nest without recursing here.
            deep = syntax.too_deep(expr, MAX_EXPRESSION_DEPTH)
            if deep is not None:
                raise self.map.fail("Expression is nested too deeply", deep.start)
            misuse = misused_literal(expr)
            if misuse is not None:
                raise self.map.fail(misuse[1], misuse[0].start)
        return expr

    def _and(self) -> syntax.Expr:
        return self._logical("&&", self._equality)

    def _logical(self, operator: str, operand: Callable[[], syntax.Expr]) -> syntax.Expr:
        start = self.peek().start
        left = operand()
        while self.at(operator):
            self.advance()
            right = operand()
            left = syntax.Logical(self.span(start), operator, left, right)
        return left

    def _equality(self) -> syntax.Expr:
        start = self.peek().start
        left = self._relational()
        if self.peek().kind is Kind.OPERATOR and self.peek().text in _EQUALITY:
            operator = _EQUALITY[self.advance().text]
            right = self._relational()
            left = syntax.Binary(self.span(start), operator, left, right)
        return left

    def _relational(self) -> syntax.Expr:
        start = self.peek().start
        left = self._range()
        if self.peek().kind is not Kind.STRING and self.peek().text in _RELATIONAL:
            operator = _RELATIONAL[self.advance().text]
            right = self._range()
            left = syntax.Binary(self.span(start), operator, left, right)
        return left

    def _range(self) -> syntax.Expr:
        start = self.peek().start
        left = self._additive()
        if self.peek().kind is Kind.OPERATOR and self.peek().text in _RANGE_KINDS:
            kind = _RANGE_KINDS[self.advance().text]
            if kind == "inclusive" and not self.starts_expression():
                return syntax.Range(self.span(start), left, None, "unbounded")
            end = self._additive()
            left = syntax.Range(self.span(start), left, end, kind)
        return left

    def _additive(self) -> syntax.Expr:
        start = self.peek().start
        left = self._multiplicative()
        while self.at("+", "-"):
            operator = self.advance().text
            right = self._multiplicative()
            left = syntax.Binary(self.span(start), operator, left, right)
        return left

    def _multiplicative(self) -> syntax.Expr:
        start = self.peek().start
        left = self._unary()
        while self.at("*", "/", "%"):
            operator = self.advance().text
            right = self._unary()
            left = syntax.Binary(self.span(start), operator, left, right)
        return left

    def _unary(self) -> syntax.Expr:
        start = self.peek().start
        if self.at("!"):
            self.advance()
            operand = self._nested_unary()
            return syntax.Not(self.span(start), operand)
        if self.at("-"):
            self.advance()
            operand = self._nested_unary()
            return syntax.Negate(self.span(start), operand)
        if self.at("+"):
            self.advance()
            return self._nested_unary()
        return self._postfix()

    def _nested_unary(self) -> syntax.Expr:
        self._nesting += 1
        if self._nesting > MAX_EXPRESSION_DEPTH:
            raise self.fail("Expression is nested too deeply")
        operand = self._unary()
        self._nesting -= 1
        return operand

    def _postfix(self) -> syntax.Expr:
        start = self.peek().start
        expr = self._primary()
        while True:
            if self.at("."):
                self.advance()
                key = self.expect_name("a name after '.'").text
                expr = syntax.Dot(self.span(start), expr, key)
            elif self.at("["):
                self.advance()
                key_expr = self.parse_expression()
                self.expect("]")
                expr = syntax.Index(self.span(start), lazy(expr), key_expr)
            elif self.at("?"):
                expr = parse_builtin(self, start, expr)
            elif self.at("??"):
                self.advance()
                expr = syntax.Exists(self.span(start), expr)
            elif self.at("!"):
                self.advance()
                if self.starts_expression():
                    return syntax.Default(self.span(start), expr, self.parse_expression())
                expr = syntax.Default(self.span(start), expr, None)
            elif self.at("(") and isinstance(expr, syntax.Variable):
                args = self.arguments(")")
                expr = syntax.FunctionCall(self.span(start), expr.name, tuple(args))
            elif self.at("("):  # not a name: fails when evaluated, as in FreeMarker
                args = self.arguments(")")
                expr = syntax.FunctionCall(self.span(start), "", tuple(args))
            else:
                return expr

    def arguments(self, closer: str) -> list[syntax.Expr]:
        """Arguments or list items; FreeMarker's grammar makes the commas optional."""
        self.advance()
        args: list[syntax.Expr] = []
        while not self.at(closer):
            if args and self.at(","):
                self.advance()
            args.append(self.parse_expression())
        self.advance()
        return args

    def _primary(self) -> syntax.Expr:
        token = self.peek()
        start = token.start
        if token.kind is Kind.NUMBER:
            self.advance()
            return syntax.Literal(self.span(start), token.number)
        if token.kind is Kind.STRING:
            self.advance()
            return self._string(token)
        if token.kind is Kind.NAME and token.text not in _KEYWORDS:
            self.advance()
            if token.text in ("true", "false"):
                return syntax.Literal(self.span(start), token.text == "true")
            return syntax.Variable(self.span(start), token.text)
        if self.at("("):
            self.advance()
            inner = self.parse_expression()
            self.expect(")")
            return syntax.Parenthesized(self.span(start), inner)
        if self.at("["):
            items = self.arguments("]")
            return syntax.SequenceLiteral(self.span(start), tuple(items))
        if self.at("{"):
            return self._hash(start)
        if self.at(".") and self.peek(1).kind is Kind.NAME:
            return parse_special(self, start)
        raise self.fail("Expected an expression")

    def _hash(self, start: int) -> syntax.HashLiteral:
        self.advance()
        keys: list[syntax.Expr] = []
        values: list[syntax.Expr] = []
        while not self.at("}"):
            if keys:
                self.expect(",")
            key = self.parse_expression()
            if literal_kind(key) not in (None, "string"):
                raise self.map.fail("A hash literal's key must be a string", key.span.start)
            self.expect(":")
            keys.append(key)
            values.append(self.parse_expression())
        self.advance()
        return syntax.HashLiteral(self.span(start), tuple(keys), tuple(values))

    def _string(self, token: Token) -> syntax.Expr:
        span = self.span(token.start)
        if all(isinstance(part, str) for part in token.parts):
            return syntax.Literal(span, "".join(str(part) for part in token.parts))
        parts: list[str | syntax.Expr] = []
        for part in token.parts:
            if isinstance(part, Embedded):
                end = part.tokens[-1].end
                sub = ExpressionParser(self.map, part.tokens, end)
                sub._nesting = self._nesting
                parts.append(
                    sub.parse_numeric(part.start) if part.numeric else sub.parse_complete()
                )
            else:
                parts.append(part)
        return syntax.StringTemplate(span, tuple(parts))
