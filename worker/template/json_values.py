"""`?eval_json`: a JSON string read into template values, as FreeMarker's own JSON parser
reads it (it also skips `//` and `/* */` comments, and no-break spaces and BOMs as white-space).

Numbers come out as FreeMarker makes them: a whole number within a Java long is an integer
(also `1.0` and `1e3`), any other a BigDecimal (`Decimal`). Hostile input is bounded by
construction: the text (already at most the string limit) is paid for per character before
reading and every value built is paid for; the parser is a loop with an explicit stack, so
nesting deeper than `MAX_JSON_DEPTH` or an array or object beyond the sequence limit is refused
as a limit failure before any recursion could happen. The values are plain dicts, lists,
strings, numbers, booleans and None (null, a missing value), so nothing reaches Python objects.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from . import limits
from .budget import charge
from .failures import TemplateDataFailure, TemplateLimitFailure
from .numbers import UNITS_PER_NUMBER_CONVERSION
from .values import require_text

# Nested arrays and objects, as deep as nested expressions may be (later uses may recurse).
MAX_JSON_DEPTH = limits.MAX_EXPRESSION_DEPTH
# The parser is a Python loop: a few work units for each character of the text.
_UNITS_PER_CHAR = 8
_WHITE_SPACE = " \t\r\n\u00a0\ufeff"
_PLAIN_CHARS = re.compile(r'[^"\\\x00-\x1f]*')  # a run of string content: linear, no backtracking
_NUMBER_TAIL = re.compile(r"(?:[.eE0-9]|(?<=[eE])[+-])*")
_BIG_DECIMAL = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_HEX = re.compile(r"[+-]?[0-9a-fA-F]+")
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_LONG_MIN, _LONG_MAX = -(2**63), 2**63 - 1


def eval_json(value: Any) -> Any:
    text = require_text(value)
    charge(len(text) * _UNITS_PER_CHAR + 1)
    return _Reader(text).document()


def _exponent_digits(number: str) -> int:
    """The significant digits of a number's exponent: beyond 10, more than Java's int holds."""
    _, marker, exponent = number.lower().partition("e")
    return len(exponent.lstrip("+-").lstrip("0")) if marker else 0


class _Reader:
    __slots__ = ("at", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0

    def fail(self, message: str) -> TemplateDataFailure:
        return TemplateDataFailure(f"?eval_json: {message} (at character {self.at + 1})")

    def document(self) -> Any:
        self.skip_space()
        if self.at == len(self.text):
            raise self.fail("empty JSON (contains no value)")
        stack: list[tuple[list[Any] | dict[str, Any], list[str]]] = []
        while True:
            value = self.value_or_opening()
            if isinstance(value, (list, dict)):  # just opened: its items come next
                if len(stack) >= MAX_JSON_DEPTH:
                    raise TemplateLimitFailure(f"?eval_json: nesting deeper than {MAX_JSON_DEPTH}")
                self.skip_space()
                closer = "]" if isinstance(value, list) else "}"
                if self.peek() != closer:
                    stack.append((value, []))
                    if isinstance(value, dict):
                        self.key(stack[-1][1])
                    continue
                self.at += 1
            while True:  # a complete value: into its container, then what follows it
                charge(limits.WORK_PER_NODE)
                if not stack:
                    self.skip_space()
                    if self.at != len(self.text):
                        raise self.fail("end of text expected, found more")
                    return value
                container, key = stack[-1]
                if isinstance(container, list):
                    container.append(value)
                else:
                    container[key[0]] = value
                if len(container) > limits.MAX_SEQUENCE_ITEMS:
                    raise TemplateLimitFailure(
                        f"?eval_json: an array or object beyond {limits.MAX_SEQUENCE_ITEMS:,} items"
                    )
                self.skip_space()
                closer = "]" if isinstance(container, list) else "}"
                found = self.peek()
                if found == ",":
                    self.at += 1
                    self.skip_space()
                    if isinstance(container, dict):
                        self.key(key)
                    break
                if found != closer:
                    raise self.fail(f"expected ',' or '{closer}'")
                self.at += 1
                stack.pop()
                value = container

    def peek(self) -> str:
        return self.text[self.at] if self.at < len(self.text) else ""

    def key(self, holder: list[str]) -> None:
        if self.peek() != '"':
            raise self.fail("JSON only allows string keys inside {...}")
        holder[:] = [self.string()]
        self.skip_space()
        if self.peek() != ":":
            raise self.fail("expected ':'")
        self.at += 1
        self.skip_space()

    def value_or_opening(self) -> Any:
        """A scalar, or a new empty list or dict for `[` or `{` (consumed)."""
        char = self.peek()
        if char == "":
            raise self.fail("a value was expected, but the text ended")
        if char == '"':
            return self.string()
        if char in "[{":
            self.at += 1
            return [] if char == "[" else {}
        if (char.isdigit() and char.isascii()) or char in "-.":
            return self.number()
        if char.isalpha() or char in "_$":
            start = self.at
            while self.at < len(self.text) and (
                self.text[self.at].isalnum() or self.peek() in "_$"
            ):
                self.at += 1
            word = self.text[start : self.at]
            if word in ("true", "false", "null"):
                return None if word == "null" else word == "true"
            raise self.fail(f"invalid JSON keyword {word[:40]!r}: use true, false or null")
        raise self.fail(f"unexpected character {char!r}")

    def number(self) -> Any:
        start = self.at
        if self.peek() == "-":
            self.at += 1
            if not (self.peek().isascii() and self.peek().isdigit()) and self.peek() != ".":
                raise self.fail("a digit was expected after '-'")
        if self.peek() == ".":
            raise self.fail("JSON doesn't allow numbers starting with '.'")
        digits = self.at
        match = _NUMBER_TAIL.match(self.text, self.at)
        assert match is not None
        self.at = match.end()
        text = self.text[start : self.at]
        if self.text[digits] == "0" and self.text[digits + 1 : digits + 2].isdigit():
            raise self.fail("JSON doesn't allow superfluous leading zeros")
        if _BIG_DECIMAL.fullmatch(text) is None or _exponent_digits(text) > 10:
            raise self.fail(f"malformed number {text[:40]!r}")  # as Java's BigDecimal finds it
        if len(text) > limits.MAX_NUMBER_DIGITS + 8:
            raise TemplateLimitFailure(
                f"?eval_json: a number beyond {limits.MAX_NUMBER_DIGITS} digits"
            )
        charge(UNITS_PER_NUMBER_CONVERSION)
        number = Decimal(text)
        if abs(number.adjusted()) > limits.MAX_NUMBER_DIGITS:
            raise TemplateLimitFailure(
                f"?eval_json: a number beyond {limits.MAX_NUMBER_DIGITS} digits"
            )
        if number == number.to_integral_value() and _LONG_MIN <= number <= _LONG_MAX:
            return int(number)
        return number

    def string(self) -> str:
        self.at += 1  # the opening quotation mark
        parts: list[str] = []
        escaped_surrogate = False
        while True:
            run = _PLAIN_CHARS.match(self.text, self.at)
            assert run is not None
            parts.append(run.group())
            self.at = run.end()
            char = self.peek()
            if char == '"':
                self.at += 1
                break
            if char == "":
                raise self.fail("a string was still unclosed when the text ended")
            if char != "\\":
                raise self.fail(f"JSON doesn't allow unescaped control characters ({ord(char)})")
            escape = self.text[self.at + 1 : self.at + 2]
            if escape in _ESCAPES:
                parts.append(_ESCAPES[escape])
                self.at += 2
            elif escape == "u":
                code = self.text[self.at + 2 : self.at + 6]
                if len(code) < 4 or _HEX.fullmatch(code) is None:
                    raise self.fail("\\u must be followed by exactly 4 hexadecimal digits")
                unit = int(code, 16) & 0xFFFF  # Java reads a sign too, and keeps a char
                escaped_surrogate |= 0xD800 <= unit <= 0xDFFF
                parts.append(chr(unit))
                self.at += 6
            else:
                raise self.fail(f"unsupported escape \\{escape}")
        text = "".join(parts)
        if escaped_surrogate:  # Java's UTF-16 string: an escaped pair is one character
            text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
            if _LONE_SURROGATE.search(text):  # no text can carry it on, no SMS could send it
                raise self.fail("a \\u escape is half of a surrogate pair")
        return text

    def skip_space(self) -> None:
        text = self.text
        while True:
            while self.at < len(text) and text[self.at] in _WHITE_SPACE:
                self.at += 1
            if text.startswith("//", self.at):
                while self.at < len(text) and text[self.at] not in "\r\n":
                    self.at += 1
            elif text.startswith("/*", self.at):
                closer = text.find("*/", self.at + 2)
                if closer < 0:
                    raise self.fail("unclosed comment")
                self.at = closer + 2
            else:
                return


# name -> (implementation, minimum arguments, maximum arguments), merged into BUILTINS.
JSON_BUILTINS: dict[str, tuple[Callable[..., Any], int, int]] = {"eval_json": (eval_json, 0, 0)}
