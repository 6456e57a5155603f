"""The elements FreeMarker's white-space stripping works on (see `whitespace`): a mirror of
the template tree in FreeMarker's shape, and the rules of its TextBlock, including the trim
directives (`<#t>`, `<#lt>`, `<#rt>`, `<#nt>`)."""

from __future__ import annotations

from enum import Enum


class Kind(Enum):
    ROOT = "root"
    BLOCK = "block"  # a leaf only while it has no children
    TEXT = "text"
    OUTPUT = "output"  # ${...}: heeds the white-space around it
    SILENT = "silent"  # <#assign>, comments: FreeMarker's "non-outputting" elements
    OTHER = "other"  # <#break>, <#continue>
    TRIM = "trim"  # <#t>, <#lt>, <#rt>, <#nt>: prints nothing, trims the texts of its line


# How far along a line a text looks for trim directives: bounds compiling a line of thousands
# of elements (each text would walk all of them); far beyond any real template's line.
MAX_TRIM_WALK = 100


class Element:
    __slots__ = (
        "begin_column",
        "begin_line",
        "children",
        "end_line",
        "index",
        "kind",
        "parent",
        "text",
        "trims",
    )

    def __init__(self, kind: Kind, begin: tuple[int, int], end_line: int, text: str = "") -> None:
        self.kind = kind
        self.trims = (False, False)  # (left, right) of a TRIM element
        self.begin_line, self.begin_column = begin
        self.end_line = end_line
        self.text = text
        self.children: list[Element] = []
        self.parent: Element | None = None
        self.index = 0

    def add(self, child: Element) -> Element:
        child.parent, child.index = self, len(self.children)
        self.children.append(child)
        return child

    # ---- tree walking, as TemplateElement does it ----

    def sibling(self, step: int) -> Element | None:
        if self.parent is None:
            return None
        siblings, index = self.parent.children, self.index + step
        return siblings[index] if 0 <= index < len(siblings) else None

    def leaf(self, last: bool) -> Element:
        """The first or last leaf inside; a macro definition (silent, with a body) is seen
        from outside as a leaf of its own."""
        element = self
        while element.children and element.kind is not Kind.SILENT:
            element = element.children[-1 if last else 0]
        return element

    def terminal(self, step: int) -> Element | None:
        """The previous (-1) or next (+1) leaf in document order."""
        element: Element | None = self
        while element is not None:
            neighbour = element.sibling(step)
            if neighbour is not None:
                return neighbour.leaf(last=step < 0)
            element = element.parent
        return None

    def at_top_level(self) -> bool:
        return self.parent is None or self.parent.kind is Kind.ROOT

    # ---- TextBlock's rules ----

    def heeds(self, *, opening: bool) -> bool:
        """Whether this element, on the line of a text, keeps that text's white-space."""
        if self.kind is Kind.OUTPUT:
            return True
        if self.kind is not Kind.TEXT or self.ignorable():
            return False
        for char in reversed(self.text) if opening else self.text:
            if char in "\r\n":
                return False
            if not char.isspace():
                return True
        return True

    def ignorable(self) -> bool:
        return self.ignorable_between(self.sibling(-1), self.sibling(+1))

    def ignorable_between(self, before: Element | None, after: Element | None) -> bool:
        if self.kind is not Kind.TEXT:
            return False
        if not self.text:
            return True
        if not blank(self.text):
            return False
        top = self.at_top_level()
        return (before.kind is Kind.SILENT if before else top) and (
            after.kind is Kind.SILENT if after else top
        )

    def strip(self, trim_lines: frozenset[int] = frozenset()) -> None:
        """`trim_lines`: the lines holding trim directives (only texts on them search for
        one, a walk along the line)."""
        if not self.text:
            return
        # Trim directives on the text's last or first line come first, even for the
        # template's first text, and replace the usual stripping on their side.
        left = self.end_line in trim_lines and self._deliberate_left()
        right = self.begin_line in trim_lines and self._deliberate_right()
        if not self.text or (self.at_top_level() and self.sibling(-1) is None):
            return
        trailing = 0 if left else self._trailing()
        opening = 0 if right else self._opening()
        self.text = self.text[opening : max(opening, len(self.text) - trailing)]
        if opening:
            self.begin_line, self.begin_column = self.begin_line + 1, 1

    def _deliberate_left(self) -> bool:
        """`<#t>`/`<#lt>` after this text on its last line drop that line's leading
        white-space; `<#nt>` there only stops the usual stripping."""
        found = False
        element, steps = self.terminal(+1), 0
        while element is not None and element.begin_line == self.end_line:
            if element.kind is Kind.TRIM and element.trims != (False, True):
                found = True  # <#t>, <#lt>, or <#nt> (which only stops the usual stripping)
                newline = max(self.text.rfind("\r"), self.text.rfind("\n"))
                if element.trims[0]:
                    if newline >= 0 or self.begin_column == 1:
                        last_line = self.text[newline + 1 :]
                        kept = "" if blank(last_line) else last_line.lstrip(JAVA_SPACE)
                        self.text = self.text[: newline + 1] + kept
                    return True  # a second one would change nothing more
            steps += 1
            if steps > MAX_TRIM_WALK:
                break
            element = element.terminal(+1)
        return found

    def _deliberate_right(self) -> bool:
        """`<#t>`/`<#rt>` before this text on its first line drop that line's trailing
        white-space and line break; `<#nt>` there only stops the usual stripping."""
        found = False
        element, steps = self.terminal(-1), 0
        while element is not None and element.end_line == self.begin_line and steps < MAX_TRIM_WALK:
            steps += 1
            if element.kind is Kind.TRIM and element.trims != (True, False):
                found = True  # <#t>, <#rt>, or <#nt> (which only stops the usual stripping)
                if element.trims[1]:
                    text = self.text
                    newline = next((i for i, c in enumerate(text) if c in "\r\n"), -1) + 1
                    if newline == 0:
                        return False
                    if newline < len(text) and text[newline - 1] == "\r" and text[newline] == "\n":
                        newline += 1
                    opening, rest = text[:newline], text[newline:]
                    if blank(opening):
                        self.text = rest
                        self.begin_line, self.begin_column = self.begin_line + 1, 1
                    else:
                        printable = opening.rstrip(JAVA_SPACE)
                        if blank(rest) and self._rest_of_line_trims():
                            rest = ""
                        self.text = printable + rest
            element = element.terminal(-1)
        return found

    def _rest_of_line_trims(self) -> bool:
        trims = True
        element = self.terminal(+1)
        while element is not None and element.begin_line == self.end_line:
            if element.heeds(opening=True):
                trims = False
            if element.kind is Kind.TRIM and element.trims[0]:
                return True
            element = element.terminal(+1)
        return trims

    def _opening(self) -> int:
        text = self.text
        newline = next((i for i, c in enumerate(text) if c in "\r\n"), -1)
        if newline < 0 and self.begin_column != 1:
            return 0
        newline += 1
        if 0 < newline < len(text) and text[newline - 1] == "\r" and text[newline] == "\n":
            newline += 1
        if not blank(text[:newline]) or self._line_heeds(-1, self.begin_line):
            return 0
        return newline

    def _trailing(self) -> int:
        text = self.text
        newline = max(text.rfind("\r"), text.rfind("\n"))
        if newline < 0 and self.begin_column != 1:
            return 0
        if not blank(text[newline + 1 :]) or self._line_heeds(+1, self.end_line):
            return 0
        return len(text) - (newline + 1)

    def _line_heeds(self, step: int, line: int) -> bool:
        element = self.terminal(step)
        while (
            element is not None and (element.end_line if step < 0 else element.begin_line) == line
        ):
            if element.heeds(opening=step < 0):
                return True
            element = element.terminal(step)
        return False


# Java's Character.isWhitespace, near enough: Python's, without the no-break spaces.
JAVA_SPACE = "".join(
    c for c in map(chr, range(0x3001)) if c.isspace() and c not in "\u00a0\u2007\u202f"
)


def blank(text: str) -> bool:
    return all(c <= " " for c in text)
