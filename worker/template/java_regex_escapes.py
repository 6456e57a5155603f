"""Reading the parts of a Java regular expression that stand for characters or sets of them:
escapes (`\\d`, `\\p{Alpha}`, `\\x41`, `\\Q...\\E`, back references) and character classes,
each translated for the `regex` package or refused (see `java_regex`)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from .failures import TemplateDataFailure

# `$` and `\Z` without MULTILINE: the end, or before a line terminator that ends the input
# (never between \r and \n).
END_OR_FINAL_BREAK = r"(?=(?:\r\n|(?<!\r)\n|[\r\x85\u2028\u2029])?\Z)"
_WORD = r"[\p{L}\p{Nd}_]"  # Java 17's \b: Character.isLetterOrDigit, or '_'
_BOUNDARY = f"(?:(?<={_WORD})(?!{_WORD})|(?<!{_WORD})(?={_WORD}))"
_NOT_BOUNDARY = f"(?:(?<={_WORD})(?={_WORD})|(?<!{_WORD})(?!{_WORD}))"
VERTICAL = r"\n\x0b\f\r\x85\u2028\u2029"
# The contents of character classes, usable inside `[...]` and as `[^...]`.
_CLASS_ESCAPES = {
    "d": "0-9",
    "w": "a-zA-Z_0-9",
    "s": r" \t\n\x0b\f\r",
    "h": r" \t\xa0\u1680\u180e\u2000-\u200a\u202f\u205f\u3000",
    "v": VERTICAL,
}
_POSIX = {
    "Lower": "a-z",
    "Upper": "A-Z",
    "ASCII": r"\x00-\x7f",
    "Alpha": "a-zA-Z",
    "Digit": "0-9",
    "Alnum": "a-zA-Z0-9",
    "Punct": r"!-/:-@\[-`{-~",
    "Graph": r"!-~",
    "Print": r" -~",
    "Blank": r" \t",
    "Cntrl": r"\x00-\x1f\x7f",
    "XDigit": "0-9a-fA-F",
    "Space": r" \t\n\x0b\f\r",
}
# Unicode general categories (Java: \p{Lu}, \p{IsLu}, \p{gc=Lu}), the same in `regex`.
_CATEGORIES = frozenset(
    {"L", "Lu", "Ll", "Lt", "Lm", "Lo", "M", "Mn", "Mc", "Me", "N", "Nd", "Nl", "No", "P"}
    | {"Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "S", "Sm", "Sc", "Sk", "So", "Z", "Zs", "Zl"}
    | {"Zp", "C", "Cc", "Cf", "Cs", "Co", "Cn"}
)
_SIMPLE = {"t": "\t", "n": "\n", "r": "\r", "f": "\f", "a": "\x07", "e": "\x1b"}


class RegexFailure(TemplateDataFailure):
    """A malformed or unsupported regular expression (a template error, as in FreeMarker)."""


@dataclass(frozen=True)
class Flags:
    ignore_case: bool = False
    multiline: bool = False
    dotall: bool = False
    comments: bool = False


def literal_char(char: str) -> str:
    if char.isascii() and char.isalnum():
        return char
    code = ord(char)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def refused(what: str) -> RegexFailure:
    return RegexFailure(f"Regular expressions with {what} are not supported")


class PatternReader:
    """The position in a pattern, the flags in effect, and the escapes and classes."""

    def __init__(self, pattern: str, flags: Flags) -> None:
        self.pattern = pattern
        self.pos = 0
        self.flags = flags
        self.captures = 0  # capturing groups opened so far

    def fail(self, message: str) -> RegexFailure:
        return RegexFailure(f"Malformed regular expression: {message} near index {self.pos}")

    def peek(self, ahead: int = 0) -> str:
        at = self.pos + ahead
        return self.pattern[at] if at < len(self.pattern) else ""

    def skip_comments(self) -> None:
        """COMMENTS mode: white space and `#...` to the end of the line are ignored, in
        character classes too (unlike Python's VERBOSE)."""
        while self.flags.comments and self.pos < len(self.pattern):
            char = self.pattern[self.pos]
            if char in " \t\n\x0b\f\r":
                self.pos += 1
            elif char == "#":
                while self.pos < len(self.pattern) and self.pattern[self.pos] not in "\n\r":
                    self.pos += 1
            else:
                return

    def literal(self, char: str) -> str:
        """Java's CASE_INSENSITIVE (without UNICODE_CASE) folds ASCII letters only, so it is
        spelled out here rather than left to the regex package's Unicode folding."""
        if self.flags.ignore_case and char.isascii() and char.isalpha():
            return f"[{char.lower()}{char.upper()}]"
        return literal_char(char)

    def escape(self, in_class: bool) -> str:
        char = self.peek()
        if not char:
            raise self.fail("Unexpected internal error (a trailing backslash)")
        self.pos += 1
        if char == "Q":
            end = self.pattern.find("\\E", self.pos)
            end = len(self.pattern) if end < 0 else end
            quoted = self.pattern[self.pos : end]
            self.pos = min(end + 2, len(self.pattern))
            if in_class:
                return "".join(literal_char(c) + self.other_case(c, c) for c in quoted)
            return "(?:" + "".join(self.literal(c) for c in quoted) + ")"
        if char.lower() in _CLASS_ESCAPES:
            contents = _CLASS_ESCAPES[char.lower()]
            if char.islower():
                return contents if in_class else f"[{contents}]"
            if in_class:
                raise refused(f"\\{char} inside a character class")
            return f"[^{contents}]"
        if char in "pP":
            return self.property(negated=char == "P", in_class=in_class)
        if not in_class:
            anchors = {"A": r"\A", "z": r"\Z", "Z": END_OR_FINAL_BREAK, "b": _BOUNDARY}
            anchors |= {"B": _NOT_BOUNDARY, "R": f"(?>\\r\\n|[{VERTICAL}])", "X": r"\X"}
            if char in anchors:
                return anchors[char]
            if char in "123456789":
                return self.backreference(int(char))
            if char == "k":
                return self.named_backreference()
        if char == "G":
            raise refused("\\G")
        return self.literal(self.character_escape(char))

    def character_escape(self, char: str) -> str:
        """The escapes that stand for one character: octal, hex, Unicode, control, named."""
        if char in _SIMPLE:
            return _SIMPLE[char]
        if char == "0":
            digits = ""
            while len(digits) < 3 and self.peek() and self.peek() in "01234567":
                if len(digits) == 2 and digits[0] > "3":
                    break
                digits += self.peek()
                self.pos += 1
            if not digits:
                raise self.fail("Illegal octal escape sequence")
            return chr(int(digits, 8))
        if char in "xu":
            if char == "x" and self.peek() == "{":
                end = self.pattern.find("}", self.pos)
                digits = self.pattern[self.pos + 1 : end] if end > 0 else ""
                self.pos = max(end + 1, self.pos)
            else:
                size = 2 if char == "x" else 4
                digits = self.pattern[self.pos : self.pos + size]
                self.pos += size
            try:
                if not (digits.isascii() and digits.isalnum()):
                    raise ValueError(digits)
                return chr(int(digits, 16))
            except (ValueError, OverflowError):
                raise self.fail("Illegal hexadecimal escape sequence") from None
        if char == "c" and self.peek():
            self.pos += 1
            return chr(ord(self.pattern[self.pos - 1]) ^ 64)
        if char == "N" and self.peek() == "{":
            end = self.pattern.find("}", self.pos)
            name = self.pattern[self.pos + 1 : end] if end > 0 else ""
            self.pos = max(end + 1, self.pos)
            try:
                return unicodedata.lookup(name)
            except KeyError:
                raise self.fail(f"Unknown character name {name!r}") from None
        if char.isascii() and char.isalnum():
            raise self.fail("Illegal/unsupported escape sequence")
        return char

    def backreference(self, number: int) -> str:
        """Java reads further digits while they still name an existing group."""
        while self.peek().isascii() and self.peek().isdigit():
            longer = number * 10 + int(self.peek())
            if longer > self.captures:
                break
            number = longer
            self.pos += 1
        if number > self.captures:
            raise refused(f"a reference to group {number} before it is defined")
        if self.flags.ignore_case:  # Java compares ASCII letters only case-insensitively
            raise refused("back references in case-insensitive patterns")
        return f"(?:\\{number})"

    def named_backreference(self) -> str:
        end = self.pattern.find(">", self.pos)
        if self.peek() != "<" or end < 0:
            raise self.fail("\\k is not followed by '<' for named capturing group")
        name = self.pattern[self.pos + 1 : end]
        self.pos = end + 1
        if not (name.isascii() and name.isalnum()):
            raise self.fail("named capturing group has a bad name")
        if self.flags.ignore_case:
            raise refused("back references in case-insensitive patterns")
        return f"(?P={name})"

    def property(self, negated: bool, in_class: bool) -> str:
        if self.peek() == "{":
            end = self.pattern.find("}", self.pos)
            if end < 0:
                raise self.fail("Unclosed character family")
            name = self.pattern[self.pos + 1 : end]
            self.pos = end + 1
        else:
            name = self.peek()
            self.pos += 1
        if self.flags.ignore_case and name in ("Lower", "Upper"):
            name = "Alpha"
        if name in _POSIX:
            contents = _POSIX[name]
            if not negated:
                return contents if in_class else f"[{contents}]"
            if in_class:
                raise refused(f"\\P{{{name}}} inside a character class")
            return f"[^{contents}]"
        category = name.removeprefix("Is").removeprefix("gc=").removeprefix("general_category=")
        if category not in _CATEGORIES:
            raise refused(f"the property \\p{{{name}}}")
        if self.flags.ignore_case and category in ("Lu", "Ll", "Lt"):  # Java: any cased letter
            cased = r"\p{Lu}\p{Ll}\p{Lt}"
            if in_class and negated:
                raise refused(f"\\P{{{name}}} inside a case-insensitive character class")
            return cased if in_class else f"[{'^' if negated else ''}{cased}]"
        return f"\\{'P' if negated else 'p'}{{{category}}}"

    def char_class(self) -> str:
        parts = ["["]
        if self.peek() == "^":
            parts.append("^")
            self.pos += 1
        first = True
        while True:
            self.skip_comments()
            char = self.peek()
            if not char:
                raise self.fail("Unclosed character class")
            if char == "]" and not first:
                self.pos += 1
                return "".join(parts) + "]"
            if char == "[":
                raise refused("nested character classes ([a[b]])")
            if char == "&" and self.peek(1) == "&":
                raise refused("character class intersections (&&)")
            item, single = self.class_item()
            if single is not None and self.peek() == "-" and self.peek(1) not in ("]", ""):
                self.pos += 1
                end, last = self.class_item()
                if last is None or ord(last) < ord(single):
                    raise self.fail("Illegal character range")
                item = f"{item}-{end}" + self.other_case(single, last)
            elif single is not None:
                item += self.other_case(single, single)
            parts.append(item)
            first = False

    def other_case(self, low: str, high: str) -> str:
        """Java's case-insensitive class member: also the other case of its ASCII letters."""
        if not self.flags.ignore_case:
            return ""
        ranges = []
        for first, last, shift in (("A", "Z", 32), ("a", "z", -32)):
            start, end = max(ord(low), ord(first)), min(ord(high), ord(last))
            if start <= end:
                ranges.append(f"{chr(start + shift)}-{chr(end + shift)}")
        return "".join(ranges)

    def class_item(self) -> tuple[str, str | None]:
        """One member: its translation and, when it is a single character, that character."""
        char = self.peek()
        self.pos += 1
        if char != "\\":
            return literal_char(char), char
        following = self.peek()
        if following == "Q" or following.lower() in _CLASS_ESCAPES or following in ("p", "P"):
            return self.escape(in_class=True), None
        if not following:
            raise self.fail("Unclosed character class")
        self.pos += 1
        single = self.character_escape(following)
        return literal_char(single), single
