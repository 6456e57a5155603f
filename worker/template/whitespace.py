"""FreeMarker's white-space stripping, applied to the parse tree after parsing, as FreeMarker
does it (`strip_whitespace`, on by default).

FreeMarker does not work on "lines that hold only tags"; it trims each text block:
- after the first line break, when the text before it is white-space and nothing on that line
  before the text prints (an interpolation, or text with something other than white-space);
- after the last line break, when the rest is white-space and nothing on that line after the
  text prints;
- never the first text of the template;
- dropping white-space-only text between silent elements (`<#assign>`, comments), or between
  one and the template's start or end.
"On the line" is judged by walking the tree's leaves in document order, so a directive's tag
itself never prints, and a block with content is seen through. This module mirrors the tree
shape FreeMarker builds (a block per `<#if>` branch, per `<#list>` and its `<#else>`) so the
walk, the siblings and the "top level" are those FreeMarker sees.
"""

from __future__ import annotations

import dataclasses
from enum import Enum

from . import syntax
from .lexer import SourceMap


class _Kind(Enum):
    ROOT = "root"
    BLOCK = "block"  # a leaf only while it has no children
    TEXT = "text"
    OUTPUT = "output"  # ${...}: heeds the white-space around it
    SILENT = "silent"  # <#assign>, comments: FreeMarker's "non-outputting" elements
    OTHER = "other"  # <#break>, <#continue>


class _Element:
    __slots__ = (
        "begin_column",
        "begin_line",
        "children",
        "end_line",
        "index",
        "kind",
        "parent",
        "text",
    )

    def __init__(self, kind: _Kind, begin: tuple[int, int], end_line: int, text: str = "") -> None:
        self.kind = kind
        self.begin_line, self.begin_column = begin
        self.end_line = end_line
        self.text = text
        self.children: list[_Element] = []
        self.parent: _Element | None = None
        self.index = 0

    def add(self, child: _Element) -> _Element:
        child.parent, child.index = self, len(self.children)
        self.children.append(child)
        return child

    # ---- tree walking, as TemplateElement does it ----

    def sibling(self, step: int) -> _Element | None:
        if self.parent is None:
            return None
        siblings, index = self.parent.children, self.index + step
        return siblings[index] if 0 <= index < len(siblings) else None

    def leaf(self, last: bool) -> _Element:
        element = self
        while element.children:
            element = element.children[-1 if last else 0]
        return element

    def terminal(self, step: int) -> _Element | None:
        """The previous (-1) or next (+1) leaf in document order."""
        element: _Element | None = self
        while element is not None:
            neighbour = element.sibling(step)
            if neighbour is not None:
                return neighbour.leaf(last=step < 0)
            element = element.parent
        return None

    def at_top_level(self) -> bool:
        return self.parent is None or self.parent.kind is _Kind.ROOT

    # ---- TextBlock's rules ----

    def heeds(self, *, opening: bool) -> bool:
        """Whether this element, on the line of a text, keeps that text's white-space."""
        if self.kind is _Kind.OUTPUT:
            return True
        if self.kind is not _Kind.TEXT or self.ignorable():
            return False
        for char in reversed(self.text) if opening else self.text:
            if char in "\r\n":
                return False
            if not char.isspace():
                return True
        return True

    def ignorable(self) -> bool:
        if self.kind is not _Kind.TEXT:
            return False
        if not self.text:
            return True
        if not _blank(self.text):
            return False
        top = self.at_top_level()
        before, after = self.sibling(-1), self.sibling(+1)
        return (before.kind is _Kind.SILENT if before else top) and (
            after.kind is _Kind.SILENT if after else top
        )

    def strip(self) -> None:
        if not self.text or (self.at_top_level() and self.sibling(-1) is None):
            return
        trailing, opening = self._trailing(), self._opening()
        self.text = self.text[opening : max(opening, len(self.text) - trailing)]
        if opening:
            self.begin_line, self.begin_column = self.begin_line + 1, 1

    def _opening(self) -> int:
        text = self.text
        newline = next((i for i, c in enumerate(text) if c in "\r\n"), -1)
        if newline < 0 and self.begin_column != 1:
            return 0
        newline += 1
        if 0 < newline < len(text) and text[newline - 1] == "\r" and text[newline] == "\n":
            newline += 1
        if not _blank(text[:newline]) or self._line_heeds(-1, self.begin_line):
            return 0
        return newline

    def _trailing(self) -> int:
        text = self.text
        newline = max(text.rfind("\r"), text.rfind("\n"))
        if newline < 0 and self.begin_column != 1:
            return 0
        if not _blank(text[newline + 1 :]) or self._line_heeds(+1, self.end_line):
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


def _blank(text: str) -> bool:
    return all(c <= " " for c in text)


def strip_whitespace(
    body: tuple[syntax.Statement, ...], source_map: SourceMap
) -> tuple[syntax.Statement, ...]:
    root = _Element(_Kind.ROOT, (1, 1), 1)
    texts: dict[int, _Element] = {}
    _Builder(source_map, texts).build(body, root)
    _clean(root)
    kept = {key: element.text for key, element in texts.items() if _attached(element)}
    return _rewrite(body, kept)


def _clean(element: _Element) -> None:
    """TemplateElement.postParseCleanup: children first, in order, then drop the ignorable."""
    for child in element.children:
        if child.kind is _Kind.TEXT:
            child.strip()
        else:
            _clean(child)
    if element.kind is _Kind.ROOT and len(element.children) == 1:
        return  # FreeMarker's root is then that element itself, which nothing removes
    # Removing one white-space text never changes whether another is ignorable (its
    # neighbours are silent elements, never texts), so one pass over the siblings will do.
    kept = [child for child in element.children if not child.ignorable()]
    for child in element.children:
        child.parent = None
    element.children = []
    for child in kept:
        element.add(child)


def _attached(element: _Element) -> bool:
    return element.parent is not None and bool(element.text)


class _Builder:
    """Mirrors the parse tree in FreeMarker's shape, with FreeMarker's line numbers."""

    def __init__(self, source_map: SourceMap, texts: dict[int, _Element]) -> None:
        self.map = source_map
        self.texts = texts

    def build(self, body: tuple[syntax.Statement, ...], parent: _Element) -> None:
        for statement in body:
            self.add(statement, parent)

    def element(self, kind: _Kind, start: int, end: int, text: str = "") -> _Element:
        """`end` is the offset of the element's last character."""
        return _Element(kind, self.map.position(start), self.map.position(end)[0], text)

    def add(self, node: syntax.Statement, parent: _Element) -> None:
        if isinstance(node, syntax.Text):
            text = self.element(_Kind.TEXT, node.start, node.start + len(node.text) - 1, node.text)
            self.texts[id(node)] = parent.add(text)
        elif isinstance(node, syntax.Interpolation):
            parent.add(self.element(_Kind.OUTPUT, node.span.start, node.span.end - 1))
        elif isinstance(node, (syntax.Comment, syntax.AssignDirective)):
            parent.add(self.element(_Kind.SILENT, node.span.start, node.span.end - 1))
        elif isinstance(node, syntax.LoopControl):
            parent.add(self.element(_Kind.OTHER, node.span.start, node.span.end - 1))
        else:
            self.block(node, parent)

    def block(self, node: syntax.Statement, parent: _Element) -> None:
        assert isinstance(
            node,
            (
                syntax.IfBlock,
                syntax.ListBlock,
                syntax.ItemsBlock,
                syntax.SepBlock,
                syntax.SwitchBlock,
                syntax.AttemptBlock,
                syntax.CompressBlock,
            ),
        )
        bodies: list[tuple[syntax.Statement, ...]]
        if isinstance(node, syntax.SwitchBlock):
            bodies = [case.body for case in node.cases]
        elif isinstance(node, syntax.AttemptBlock):
            bodies = [node.body, node.recovery]
        elif isinstance(node, syntax.IfBlock):
            bodies = [body for _, body in node.branches] + (
                [node.otherwise] if node.otherwise else []
            )
        elif isinstance(node, syntax.ListBlock):
            bodies = [node.body] + ([node.otherwise] if node.otherwise else [])
        else:
            bodies = [node.body]
        container = parent.add(self.element(_Kind.BLOCK, node.span.start, node.span.end - 1))
        for body in bodies:
            # An empty branch is a leaf; FreeMarker places it at its own tag, we at the block's.
            branch = container.add(self.element(_Kind.BLOCK, node.span.start, node.span.end - 1))
            self.build(body, branch)


def _rewrite(
    body: tuple[syntax.Statement, ...], kept: dict[int, str]
) -> tuple[syntax.Statement, ...]:
    result: list[syntax.Statement] = []
    for node in body:
        if isinstance(node, syntax.Text):
            if id(node) in kept:
                result.append(dataclasses.replace(node, text=kept[id(node)]))
        elif isinstance(node, syntax.IfBlock):
            branches = tuple((test, _rewrite(branch, kept)) for test, branch in node.branches)
            otherwise = _rewrite(node.otherwise, kept)
            result.append(dataclasses.replace(node, branches=branches, otherwise=otherwise))
        elif isinstance(node, syntax.ListBlock):
            list_body, otherwise = _rewrite(node.body, kept), _rewrite(node.otherwise, kept)
            result.append(dataclasses.replace(node, body=list_body, otherwise=otherwise))
        elif isinstance(node, syntax.SwitchBlock):
            cases = tuple(
                dataclasses.replace(case, body=_rewrite(case.body, kept)) for case in node.cases
            )
            result.append(dataclasses.replace(node, cases=cases))
        elif isinstance(node, syntax.AttemptBlock):
            body_, recovery = _rewrite(node.body, kept), _rewrite(node.recovery, kept)
            result.append(dataclasses.replace(node, body=body_, recovery=recovery))
        elif isinstance(node, (syntax.ItemsBlock, syntax.SepBlock, syntax.CompressBlock)):
            result.append(dataclasses.replace(node, body=_rewrite(node.body, kept)))
        elif not isinstance(node, syntax.Comment):
            result.append(node)
    return tuple(result)
