"""Tokens of FreeMarker expressions, as found inside `${...}`, FTL tags and string literals.

The tokenizer is told where an expression starts and what ends it; it returns the tokens and
where the terminator ends, so the scanner can continue with template text from there.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from .failures import TemplateLimitFailure, TemplateSyntaxFailure
from .limits import MAX_EXPRESSION_DEPTH, MAX_NUMBER_LITERAL_DIGITS, MAX_TEMPLATE_PIECES


class SourceMap:
    """Turns offsets into the 1-based line and column numbers people see in error messages."""

    def __init__(self, source: str) -> None:
        self.source = source
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", source)]

    def position(self, offset: int) -> tuple[int, int]:
        line_index = bisect.bisect_right(self._line_starts, offset) - 1
        return line_index + 1, offset - self._line_starts[line_index] + 1

    def fail(self, message: str, offset: int) -> TemplateSyntaxFailure:
        line, column = self.position(offset)
        return TemplateSyntaxFailure(message, line=line, column=column)


class Kind(Enum):
    NAME = "name"
    NUMBER = "number"
    STRING = "string"
    OPERATOR = "operator"
    END = "end"


@dataclass(frozen=True, slots=True)
class Embedded:
    """The tokens of one `${...}` (or legacy numeric `#{...}`) inside a string literal."""

    tokens: tuple[Token, ...]
    start: int
    numeric: bool = False


@dataclass(frozen=True, slots=True)
class Token:
    kind: Kind
    text: str
    start: int
    end: int
    number: Decimal = Decimal(0)
    parts: tuple[str | Embedded, ...] = ()


class Terminator(Enum):
    """What closes the expression: `}` for interpolations, `>` or `/>` for FTL tags."""

    BRACE = "}"
    TAG = ">"


_NAME = re.compile(r"(?:[^\W\d]|[$@])(?:\w|[$@])*")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_SPACE = re.compile(r"\s+")
# Longest first, so `..<` wins over `..` and `??` over `?`.
_OPERATORS = (
    "-&gt;", "..<", "..*", "..!", "??", "==", "!=", ">=", "<=", "&&", "||", "+=", "-=", "*=", "/=",
    "%=", "++", "--", "->", "..", "?", "!", "=", "+", "-", "*", "/", "%", "(", ")", "[", "]",
    "{", "}", ",", ":", ".", ">", "<", ";",
)  # fmt: skip
_SIMPLE_ESCAPES = {
    '"': '"', "'": "'", "\\": "\\", "n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f",
    "l": "<", "g": ">", "a": "&", "{": "{", "=": "=",
}  # fmt: skip
_INTERPOLATION = re.compile(r"[$#]\{")
_HEX = re.compile(r"[0-9A-Fa-f]{1,4}")


class PieceCounter:
    """Counts a template's pieces (chunks and expression tokens) as they are made, so a
    template is refused before compiling it could cost more than `MAX_TEMPLATE_PIECES`."""

    __slots__ = ("count", "offset")

    def __init__(self) -> None:
        self.count = 0
        self.offset = 0  # where the piece being made starts, for the error's position

    def spend(self, pieces: int = 1) -> None:
        self.count += pieces
        if self.count > MAX_TEMPLATE_PIECES:
            raise TemplateLimitFailure(
                f"The template has more than {MAX_TEMPLATE_PIECES:,} pieces "
                "(text runs, tags and expression tokens)"
            )


class ExpressionTokenizer:
    def __init__(self, source_map: SourceMap, pieces: PieceCounter | None = None) -> None:
        self.map = source_map
        self.source = source_map.source
        self.pieces = PieceCounter() if pieces is None else pieces
        self._string_nesting = 0

    def tokenize(self, start: int, terminator: Terminator) -> tuple[list[Token], int, bool]:
        """Tokens from `start` up to the terminator; returns them, the offset after it, and
        whether a tag ended with `/>`."""
        source, depth, pos = self.source, 0, start
        tokens: list[Token] = []
        while True:
            space = _SPACE.match(source, pos)
            if space:
                pos = space.end()
            if pos >= len(source):
                what = "${...}" if terminator is Terminator.BRACE else "FTL tag"
                raise self.map.fail(f"Unclosed {what}: the template ends inside it", start)
            char = source[pos]
            if depth == 0:
                if terminator is Terminator.BRACE and char == "}":
                    return tokens, pos + 1, False
                if terminator is Terminator.TAG and char == ">":
                    return tokens, pos + 1, False
                if terminator is Terminator.TAG and source.startswith("/>", pos):
                    return tokens, pos + 2, True
            token = self._next_token(pos)
            if token.kind is Kind.OPERATOR and token.text in "([{":
                depth += 1
            elif token.kind is Kind.OPERATOR and token.text in ")]}":
                depth = max(depth - 1, 0)
            self.pieces.spend()
            tokens.append(token)
            pos = token.end

    def _next_token(self, pos: int) -> Token:
        source = self.source
        char = source[pos]
        if char in "\"'":
            return self._string(pos, pos, raw=False)
        if char == "r" and source.startswith(('r"', "r'"), pos):
            return self._string(pos, pos + 1, raw=True)
        number = _NUMBER.match(source, pos)
        if number:
            return self._number(number.group(), pos)
        name = _NAME.match(source, pos)
        if name:
            return Token(Kind.NAME, name.group(), pos, name.end())
        for operator in _OPERATORS:
            if source.startswith(operator, pos):
                return Token(Kind.OPERATOR, operator, pos, pos + len(operator))
        raise self.map.fail(f"Unexpected character {char!r} in an expression", pos)

    def _number(self, text: str, pos: int) -> Token:
        if len(text) > MAX_NUMBER_LITERAL_DIGITS:
            raise self.map.fail("Number literal has too many digits", pos)
        # FreeMarker's number literals are BigDecimals: 1.10 keeps its two decimals.
        return Token(Kind.NUMBER, text, pos, pos + len(text), number=Decimal(text))

    def _string(self, start: int, quote_at: int, *, raw: bool) -> Token:
        """A string literal ends at the first unescaped quote of its kind, whatever it holds."""
        source, quote = self.source, self.source[quote_at]
        chars: list[str] = []
        offsets: list[int] = []  # where each decoded character comes from
        pos = quote_at + 1
        while True:
            if pos >= len(source):
                raise self.map.fail("Unclosed string literal", start)
            char = source[pos]
            if char == quote:
                break
            offsets.append(pos)
            if char == "\\" and not raw:
                decoded, pos = self._escape(pos)
                chars.append(decoded)
            else:
                chars.append(char)
                pos += 1
        offsets.append(pos)
        value = "".join(chars)
        # FreeMarker looks for `${`/`#{` in the source text (so `$\\{x}` stays text), then
        # parses the decoded text.
        interpolated = not raw and _INTERPOLATION.search(source, quote_at, pos) is not None
        parts = self._interpolations(value, offsets, start) if interpolated else (value,)
        return Token(Kind.STRING, source[start : pos + 1], start, pos + 1, parts=parts)

    def _interpolations(
        self, value: str, offsets: list[int], start: int
    ) -> tuple[str | Embedded, ...]:
        """As FreeMarker does it: the decoded text is searched for `${...}` and `#{...}`, so
        quotes inside one are escaped like any other (`"Hi ${name!\\"you\\"}"`)."""
        if len(value) <= 3:
            return (value,)
        self._string_nesting += 1
        if self._string_nesting > MAX_EXPRESSION_DEPTH:
            raise self.map.fail("String interpolations are nested too deeply", start)
        inner = ExpressionTokenizer(SourceMap(value), self.pieces)
        inner._string_nesting = self._string_nesting
        parts: list[str | Embedded] = []
        pos = 0
        try:
            while (found := _INTERPOLATION.search(value, pos)) is not None:
                if found.start() > pos:
                    parts.append(value[pos : found.start()])
                tokens, pos, _ = inner.tokenize(found.end(), Terminator.BRACE)
                if not tokens:
                    raise inner.map.fail("Empty ${} in a string literal", found.start())
                moved = tuple(_moved(token, offsets) for token in tokens)
                parts.append(Embedded(moved, offsets[found.start()], value[found.start()] == "#"))
        except TemplateSyntaxFailure as failure:
            raise self.map.fail(f"{failure.message} (in a string literal)", start) from None
        finally:
            self._string_nesting -= 1
        if pos < len(value):
            parts.append(value[pos:])
        return tuple(parts)

    def _escape(self, pos: int) -> tuple[str, int]:
        source = self.source
        letter = source[pos + 1] if pos + 1 < len(source) else ""
        if letter in _SIMPLE_ESCAPES and letter:
            return _SIMPLE_ESCAPES[letter], pos + 2
        if letter == "x":
            digits = _HEX.match(source, pos + 2)
            if digits:
                return chr(int(digits.group(), 16)), digits.end()
        raise self.map.fail(f"Invalid escape sequence \\{letter} in a string literal", pos)


def _moved(token: Token, offsets: list[int]) -> Token:
    """A token found in a decoded string literal, placed back at its source offsets."""
    parts = tuple(
        part
        if isinstance(part, str)
        else Embedded(
            tuple(_moved(t, offsets) for t in part.tokens), offsets[part.start], part.numeric
        )
        for part in token.parts
    )
    return Token(
        token.kind, token.text, offsets[token.start], offsets[token.end], token.number, parts
    )
