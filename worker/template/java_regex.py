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

from dataclasses import dataclass, replace

from .java_regex_escapes import (
    END_OR_FINAL_BREAK,
    Flags,
    PatternReader,
    RegexFailure,
    refused,
)

__all__ = ["Flags", "RegexFailure", "translate"]

_TERMINATORS = r"\n\r\x85\u2028\u2029"
_LINE_END = r"(?=\r\n|(?<!\r)\n|[\r\x85\u2028\u2029]|\Z)"
# `^` with MULTILINE: after a line terminator (not between \r and \n), never at the very end.
_LINE_START = r"(?:(?<![\s\S])|(?<=[\n\x85\u2028\u2029])|(?<=\r)(?!\n))(?=[\s\S])"
_FLAG_NAMES = {"i": "ignore_case", "m": "multiline", "s": "dotall", "x": "comments"}
# The largest repetition count, multiplied through nested counted repetitions, a pattern may
# ask for: the regex package unrolls them when compiling (10^9 exhausts memory; Java does not).
MAX_REPETITION = 1000
# Groups nested deeper are refused: the regex package parses them recursively.
MAX_GROUP_DEPTH = 40


@dataclass
class _Group:
    flags: Flags  # in effect where the group opened, restored when it closes
    weight: int = 1  # the largest product of nested repetition counts inside


class _Translator(PatternReader):
    def __init__(self, pattern: str, flags: Flags) -> None:
        super().__init__(pattern, flags)
        self.out: list[str] = []
        self.groups = [_Group(flags)]
        self.last_weight = 1  # of the atom just emitted, for a following {n,m}

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
            self.emit(_LINE_END if self.flags.multiline else END_OR_FINAL_BREAK)
        elif char == "{":
            self.repetition()
        elif char in "*+?":
            self.out.append(char)  # the weight of the atom stays for a following {n}
        else:
            self.emit(self.literal(char))

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
            raise refused(f"repetition counts over {MAX_REPETITION:,} (nested ones multiplied)")
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
            raise refused(f"groups nested more than {MAX_GROUP_DEPTH} deep")
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
                raise refused(f"the inline flag {char}")
            else:
                flags = replace(flags, **{_FLAG_NAMES[char]: value})
        closing = self.peek()
        if closing not in (")", ":"):
            raise self.fail("Unknown inline modifier")
        self.pos += 1
        if closing == ":":
            self.push("(?:")  # restores the flags of before when it closes
        self.flags = flags


def translate(pattern: str, flags: Flags) -> str:
    """The `regex` package pattern (compiled with V0 and no other flag: the translation spells
    out the flags) that means what `pattern` means to java.util.regex.Pattern."""
    return _Translator(pattern, flags).translate()
