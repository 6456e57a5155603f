"""Java regular expressions (what FreeMarker's `?matches`, `?replace(..., "r")`... take), run
by the `regex` package: a pattern is translated to one meaning the same there, or refused.

Java and Python disagree on much that looks alike: Java's `.`, `^` and `$` know five line
terminators, `\\d \\w \\s` and the POSIX classes (`\\p{Alpha}`) are ASCII, case-insensitive
matching is ASCII-only (spelled out here: `[aA]`), `\\b` (Java 17) is Unicode, `{` must start
a repetition, `\\Q...\\E` quotes, and inline flags last until the end of their group. Each of
these is translated. What has no simple translation (nested classes and `&&`, `\\G`, the d/u/U
flags, `\\p{...}` properties other than categories and POSIX classes, back references to groups
not yet defined or in case-insensitive patterns) is refused with a template error naming it.
The translation is one pass over the pattern, so it is linear in its length.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace

from .failures import TemplateDataFailure

_TERMINATORS = r"\n\r\x85\u2028\u2029"
# `$` and `\Z` without MULTILINE: the end, or before a line terminator that ends the input
# (never between \r and \n).
_END_OR_FINAL_BREAK = r"(?=(?:\r\n|(?<!\r)\n|[\r\x85\u2028\u2029])?\Z)"
_LINE_END = r"(?=\r\n|(?<!\r)\n|[\r\x85\u2028\u2029]|\Z)"
# `^` with MULTILINE: after a line terminator (not between \r and \n), never at the very end.
_LINE_START = r"(?:(?<![\s\S])|(?<=[\n\x85\u2028\u2029])|(?<=\r)(?!\n))(?=[\s\S])"
_WORD = r"[\p{L}\p{Nd}_]"  # Java 17's \b: Character.isLetterOrDigit, or '_'
_BOUNDARY = f"(?:(?<={_WORD})(?!{_WORD})|(?<!{_WORD})(?={_WORD}))"
_NOT_BOUNDARY = f"(?:(?<={_WORD})(?={_WORD})|(?<!{_WORD})(?!{_WORD}))"
_VERTICAL = r"\n\x0b\f\r\x85\u2028\u2029"
# The contents of character classes, usable inside `[...]` and as `[^...]`.
_CLASS_ESCAPES = {
    "d": "0-9",
    "w": "a-zA-Z_0-9",
    "s": r" \t\n\x0b\f\r",
    "h": r" \t\xa0\u1680\u180e\u2000-\u200a\u202f\u205f\u3000",
    "v": _VERTICAL,
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
_FLAG_NAMES = {"i": "ignore_case", "m": "multiline", "s": "dotall", "x": "comments"}
# The largest repetition count, multiplied through nested counted repetitions, a pattern may
# ask for: the regex package unrolls them when compiling (10^9 exhausts memory; Java does not).
MAX_REPETITION = 1000
# Groups nested deeper are refused: the regex package parses them recursively.
MAX_GROUP_DEPTH = 40


class RegexFailure(TemplateDataFailure):
    """A malformed or unsupported regular expression (a template error, as in FreeMarker)."""


@dataclass(frozen=True)
class Flags:
    ignore_case: bool = False
    multiline: bool = False
    dotall: bool = False
    comments: bool = False


@dataclass
class _Group:
    flags: Flags  # in effect where the group opened, restored when it closes
    weight: int = 1  # the largest product of nested repetition counts inside


def _literal(char: str) -> str:
    if char.isascii() and char.isalnum():
        return char
    code = ord(char)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _refused(what: str) -> RegexFailure:
    return RegexFailure(f"Regular expressions with {what} are not supported")


class _Translator:
    def __init__(self, pattern: str, flags: Flags) -> None:
        self.pattern = pattern
        self.pos = 0
        self.out: list[str] = []
        self.groups = [_Group(flags)]
        self.flags = flags
        self.captures = 0
        self.last_weight = 1  # of the atom just emitted, for a following {n,m}

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

    def translate(self) -> str:
        while True:
            self.skip_comments()
            if self.pos >= len(self.pattern):
                break
            self.step()
        if len(self.groups) > 1:
            raise self.fail("Unclosed group")
        return "".join(self.out)

    def emit(self, text: str, weight: int = 1) -> None:
        self.out.append(text)
        self.last_weight = weight

    def step(self) -> None:
        char = self.pattern[self.pos]
        self.pos += 1
        if char == "\\":
            self.emit(self.escape(in_class=False))
        elif char == "[":
            self.emit(self.char_class())
        elif char == "(":
            self.open_group()
        elif char == ")":
            self.close_group()
        elif char == "|":
            self.emit("|")
        elif char == ".":
            self.emit(r"[\s\S]" if self.flags.dotall else f"[^{_TERMINATORS}]")
        elif char == "^":
            self.emit(_LINE_START if self.flags.multiline else r"\A")
        elif char == "$":
            self.emit(_LINE_END if self.flags.multiline else _END_OR_FINAL_BREAK)
        elif char == "{":
            self.repetition()
        elif char in "*+?":
            self.out.append(char)  # the weight of the atom stays for a following {n}
        else:
            self.emit(self.literal(char))

    def literal(self, char: str) -> str:
        """Java's CASE_INSENSITIVE (without UNICODE_CASE) folds ASCII letters only, so it is
        spelled out here rather than left to the regex package's Unicode folding."""
        if self.flags.ignore_case and char.isascii() and char.isalpha():
            return f"[{char.lower()}{char.upper()}]"
        return _literal(char)

    def repetition(self) -> None:
        end = self.pattern.find("}", self.pos)
        body = self.pattern[self.pos : end] if end >= 0 else ""
        low, comma, high = body.partition(",")
        if not (low.isascii() and low.isdigit() and (not high or high.isdigit())):
            raise self.fail("Illegal repetition")
        self.pos = end + 1
        count = max(int(low), int(high) if high else 0)
        weight = self.last_weight * max(count, 1)
        if weight > MAX_REPETITION:
            raise _refused(f"repetition counts over {MAX_REPETITION:,} (nested ones multiplied)")
        self.groups[-1].weight = max(self.groups[-1].weight, weight)
        self.emit("{" + low + comma + high + "}", weight)

    # ---- groups and inline flags ----

    def open_group(self) -> None:
        if self.peek() != "?":
            self.captures += 1
            self.push("(")
            return
        self.pos += 1
        for prefix in (":", "=", "!", "<=", "<!", ">"):
            if self.pattern.startswith(prefix, self.pos):
                self.pos += len(prefix)
                self.push("(?" + prefix)
                return
        if self.peek() == "<":
            end = self.pattern.find(">", self.pos)
            name = self.pattern[self.pos + 1 : end] if end > 0 else ""
            if not (name[:1].isalpha() and name.isascii() and name.isalnum()):
                raise self.fail("named capturing group has a bad name")
            self.pos = end + 1
            self.captures += 1
            self.push(f"(?P<{name}>")
            return
        self.inline_flags()

    def push(self, opening: str) -> None:
        if len(self.groups) > MAX_GROUP_DEPTH:
            raise _refused(f"groups nested more than {MAX_GROUP_DEPTH} deep")
        self.out.append(opening)
        self.groups.append(_Group(self.flags))

    def close_group(self) -> None:
        if len(self.groups) == 1:
            raise self.fail("Unmatched closing ')'")
        group = self.groups.pop()
        self.flags = group.flags
        self.groups[-1].weight = max(self.groups[-1].weight, group.weight)
        self.emit(")", group.weight)

    def inline_flags(self) -> None:
        """`(?im-s)` changes the flags until the end of the enclosing group, `(?i:...)` inside
        its own group; the translation applies them as it goes."""
        flags, value = self.flags, True
        while self.peek() and self.peek() in "idmsuxU-":
            char = self.peek()
            self.pos += 1
            if char == "-":
                value = False
            elif char in "duU":
                raise _refused(f"the inline flag {char}")
            else:
                flags = replace(flags, **{_FLAG_NAMES[char]: value})
        closing = self.peek()
        if closing not in (")", ":"):
            raise self.fail("Unknown inline modifier")
        self.pos += 1
        if closing == ":":
            self.push("(?:")  # restores the flags of before when it closes
        self.flags = flags

    # ---- escapes and classes ----

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
                return "".join(_literal(c) + self.other_case(c, c) for c in quoted)
            return "(?:" + "".join(self.literal(c) for c in quoted) + ")"
        if char.lower() in _CLASS_ESCAPES:
            contents = _CLASS_ESCAPES[char.lower()]
            if char.islower():
                return contents if in_class else f"[{contents}]"
            if in_class:
                raise _refused(f"\\{char} inside a character class")
            return f"[^{contents}]"
        if char in "pP":
            return self.property(negated=char == "P", in_class=in_class)
        if not in_class:
            anchors = {"A": r"\A", "z": r"\Z", "Z": _END_OR_FINAL_BREAK, "b": _BOUNDARY}
            anchors |= {"B": _NOT_BOUNDARY, "R": f"(?>\\r\\n|[{_VERTICAL}])", "X": r"\X"}
            if char in anchors:
                return anchors[char]
            if char in "123456789":
                return self.backreference(int(char))
            if char == "k":
                return self.named_backreference()
        if char == "G":
            raise _refused("\\G")
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
            raise _refused(f"a reference to group {number} before it is defined")
        if self.flags.ignore_case:  # Java compares ASCII letters only case-insensitively
            raise _refused("back references in case-insensitive patterns")
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
            raise _refused("back references in case-insensitive patterns")
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
                raise _refused(f"\\P{{{name}}} inside a character class")
            return f"[^{contents}]"
        category = name.removeprefix("Is").removeprefix("gc=").removeprefix("general_category=")
        if category not in _CATEGORIES:
            raise _refused(f"the property \\p{{{name}}}")
        if self.flags.ignore_case and category in ("Lu", "Ll", "Lt"):  # Java: any cased letter
            cased = r"\p{Lu}\p{Ll}\p{Lt}"
            if in_class and negated:
                raise _refused(f"\\P{{{name}}} inside a case-insensitive character class")
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
                raise _refused("nested character classes ([a[b]])")
            if char == "&" and self.peek(1) == "&":
                raise _refused("character class intersections (&&)")
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
            return _literal(char), char
        following = self.peek()
        if following == "Q" or following.lower() in _CLASS_ESCAPES or following in ("p", "P"):
            return self.escape(in_class=True), None
        if not following:
            raise self.fail("Unclosed character class")
        self.pos += 1
        single = self.character_escape(following)
        return _literal(single), single


def translate(pattern: str, flags: Flags) -> str:
    """The `regex` package pattern (compiled with V0 and no other flag: the translation spells
    out the flags) that means what `pattern` means to java.util.regex.Pattern."""
    return _Translator(pattern, flags).translate()
