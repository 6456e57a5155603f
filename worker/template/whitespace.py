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

from . import statements
from .lexer import SourceMap
from .whitespace_elements import Element, Kind


def strip_whitespace(
    body: tuple[statements.Statement, ...], source_map: SourceMap
) -> tuple[statements.Statement, ...]:
    root = Element(Kind.ROOT, (1, 1), 1)
    texts: dict[int, Element] = {}
    builder = _Builder(source_map, texts)
    builder.build(body, root)
    _clean(root, frozenset(builder.trim_lines))
    kept = {key: element.text for key, element in texts.items() if _attached(element)}
    return _rewrite(body, kept)


def _clean(element: Element, trim_lines: frozenset[int]) -> None:
    """TemplateElement.postParseCleanup: children first, in order, then drop the ignorable."""
    for child in element.children:
        if child.kind is Kind.TEXT:
            child.strip(trim_lines)
        else:
            _clean(child, trim_lines)
    if element.kind is Kind.ROOT and len(element.children) == 1:
        return  # FreeMarker's root is then that element itself, which nothing removes
    # Then, in document order, drop trim directives (their work is done: texts after this
    # block never see them) and ignorable texts, each judged by the siblings left at its
    # turn: a trim directive before a text is gone by then, one after it is still there.
    kept = list(element.children)
    at = 0
    while at < len(kept):
        child = kept[at]
        before = kept[at - 1] if at > 0 else None
        after = kept[at + 1] if at + 1 < len(kept) else None
        if child.kind is Kind.TRIM or child.ignorable_between(before, after):
            kept.pop(at)
        else:
            at += 1
    for child in element.children:
        child.parent = None
    element.children = []
    for child in kept:
        element.add(child)


def _attached(element: Element) -> bool:
    return element.parent is not None and bool(element.text)


class _Builder:
    """Mirrors the parse tree in FreeMarker's shape, with FreeMarker's line numbers."""

    def __init__(self, source_map: SourceMap, texts: dict[int, Element]) -> None:
        self.map = source_map
        self.texts = texts
        self.trim_lines: set[int] = set()  # lines holding a trim directive

    def build(self, body: tuple[statements.Statement, ...], parent: Element) -> None:
        for statement in body:
            self.add(statement, parent)

    def element(self, kind: Kind, start: int, end: int, text: str = "") -> Element:
        """`end` is the offset of the element's last character."""
        return Element(kind, self.map.position(start), self.map.position(end)[0], text)

    def add(self, node: statements.Statement, parent: Element) -> None:
        if isinstance(node, statements.Text):
            text = self.element(Kind.TEXT, node.start, node.start + len(node.text) - 1, node.text)
            self.texts[id(node)] = parent.add(text)
        elif isinstance(node, statements.Interpolation):
            parent.add(self.element(Kind.OUTPUT, node.span.start, node.span.end - 1))
        elif isinstance(
            node, (statements.Comment, statements.AssignDirective, statements.SettingDirective)
        ):
            parent.add(self.element(Kind.SILENT, node.span.start, node.span.end - 1))
        elif isinstance(node, (statements.LoopControl, statements.MacroControl)) or (
            isinstance(node, statements.MacroCall) and node.body is None
        ):
            parent.add(self.element(Kind.OTHER, node.span.start, node.span.end - 1))
        elif isinstance(node, statements.TrimDirective):
            trim = parent.add(self.element(Kind.TRIM, node.span.start, node.span.end - 1))
            trim.trims = (node.left, node.right)
            self.trim_lines.add(trim.begin_line)
        else:
            self.block(node, parent)

    def block(self, node: statements.Statement, parent: Element) -> None:
        assert isinstance(
            node,
            (
                statements.IfBlock,
                statements.ListBlock,
                statements.ItemsBlock,
                statements.SepBlock,
                statements.SwitchBlock,
                statements.AttemptBlock,
                statements.CompressBlock,
                statements.MacroDefinition,
                statements.MacroCall,
            ),
        )
        bodies: list[tuple[statements.Statement, ...]]
        if isinstance(node, statements.MacroCall):
            bodies = [node.body or ()]
        elif isinstance(node, statements.SwitchBlock):
            bodies = [case.body for case in node.cases]
        elif isinstance(node, statements.AttemptBlock):
            bodies = [node.body, node.recovery]
        elif isinstance(node, statements.IfBlock):
            bodies = [body for _, body in node.branches] + (
                [node.otherwise] if node.otherwise else []
            )
        elif isinstance(node, statements.ListBlock):
            bodies = [node.body] + ([node.otherwise] if node.otherwise else [])
        else:
            bodies = [node.body]
        # A macro definition prints nothing where it stands: a silent element, as FreeMarker's.
        kind = Kind.SILENT if isinstance(node, statements.MacroDefinition) else Kind.BLOCK
        container = parent.add(self.element(kind, node.span.start, node.span.end - 1))
        for body in bodies:
            # An empty branch is a leaf; FreeMarker places it at its own tag, we at the block's.
            branch = container.add(self.element(Kind.BLOCK, node.span.start, node.span.end - 1))
            self.build(body, branch)


def _rewrite(
    body: tuple[statements.Statement, ...], kept: dict[int, str]
) -> tuple[statements.Statement, ...]:
    result: list[statements.Statement] = []
    for node in body:
        if isinstance(node, statements.Text):
            if id(node) in kept:
                result.append(dataclasses.replace(node, text=kept[id(node)]))
        elif isinstance(node, statements.IfBlock):
            branches = tuple((test, _rewrite(branch, kept)) for test, branch in node.branches)
            otherwise = _rewrite(node.otherwise, kept)
            result.append(dataclasses.replace(node, branches=branches, otherwise=otherwise))
        elif isinstance(node, statements.ListBlock):
            list_body, otherwise = _rewrite(node.body, kept), _rewrite(node.otherwise, kept)
            result.append(dataclasses.replace(node, body=list_body, otherwise=otherwise))
        elif isinstance(node, statements.SwitchBlock):
            cases = tuple(
                dataclasses.replace(case, body=_rewrite(case.body, kept)) for case in node.cases
            )
            result.append(dataclasses.replace(node, cases=cases))
        elif isinstance(node, statements.AttemptBlock):
            body_, recovery = _rewrite(node.body, kept), _rewrite(node.recovery, kept)
            result.append(dataclasses.replace(node, body=body_, recovery=recovery))
        elif (isinstance(node, statements.MacroCall) and node.body is not None) or isinstance(
            node,
            (
                statements.ItemsBlock,
                statements.SepBlock,
                statements.CompressBlock,
                statements.MacroDefinition,
            ),
        ):
            result.append(dataclasses.replace(node, body=_rewrite(node.body or (), kept)))
        elif not isinstance(node, statements.Comment):
            result.append(node)
    return tuple(result)
