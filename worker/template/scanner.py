"""Splits a template into text, `${...}` interpolations, FTL tags and comments.

White-space stripping happens later, on the parse tree (`whitespace`), as in FreeMarker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .failures import TemplateLimitFailure
from .lexer import ExpressionTokenizer, PieceCounter, SourceMap, Terminator, Token


@dataclass(frozen=True, slots=True)
class TextChunk:
    text: str
    start: int


@dataclass(frozen=True, slots=True)
class InterpolationChunk:
    tokens: tuple[Token, ...]
    start: int
    end: int
    numeric: bool = False  # legacy `#{...}`


@dataclass(frozen=True, slots=True)
class TagChunk:
    """`<#name ...>` or, when `closing`, `</#name>`."""

    name: str
    tokens: tuple[Token, ...]
    start: int
    end: int
    closing: bool
    self_closing: bool


@dataclass(frozen=True, slots=True)
class CommentChunk:
    start: int
    end: int


Chunk = TextChunk | InterpolationChunk | TagChunk | CommentChunk

_SPECIAL = re.compile(r"[$#]\{|<#--|</?#(?=[A-Za-z_])|<@(?=[A-Za-z_])|</@(?=[A-Za-z_>])")
_TAG_NAME = re.compile(r"[A-Za-z_]\w*")
_NOPARSE_END = re.compile(r"</#noparse\s*>")


def scan(source_map: SourceMap) -> list[Chunk]:
    chunks: list[Chunk] = []
    pieces = PieceCounter()
    try:
        _scan(source_map, pieces, chunks)
    except TemplateLimitFailure as failure:
        failure.line, failure.column = source_map.position(pieces.offset)
        raise
    return chunks


def _scan(source_map: SourceMap, pieces: PieceCounter, chunks: list[Chunk]) -> None:
    source = source_map.source
    tokenizer = ExpressionTokenizer(source_map, pieces)
    pos = 0
    while pos < len(source):
        pieces.offset = pos
        pieces.spend()
        found = _SPECIAL.search(source, pos)
        if found is None:
            chunks.append(TextChunk(source[pos:], pos))
            break
        if found.start() > pos:
            chunks.append(TextChunk(source[pos : found.start()], pos))
            pieces.offset = found.start()
            pieces.spend()
        start, marker = found.start(), found.group()
        if marker in ("${", "#{"):
            tokens, pos, _ = tokenizer.tokenize(found.end(), Terminator.BRACE)
            if not tokens:
                raise source_map.fail(f"Empty interpolation {marker}}}", start)
            chunks.append(InterpolationChunk(tuple(tokens), start, pos, marker == "#{"))
        elif marker == "<#--":
            close = source.find("-->", found.end())
            if close < 0:
                raise source_map.fail("Unclosed comment <#--: no --> follows", start)
            pos = close + 3
            chunks.append(CommentChunk(start, pos))
        elif "@" in marker:
            pos = _macro_call(source_map, tokenizer, found, chunks)
        else:
            name_match = _TAG_NAME.match(source, found.end())
            assert name_match is not None  # the lookahead in _SPECIAL guarantees a name
            tokens, pos, self_closing = tokenizer.tokenize(name_match.end(), Terminator.TAG)
            closing = marker.startswith("</")
            if closing and (tokens or self_closing):
                raise source_map.fail(f"Closing tag </#{name_match.group()}> takes nothing", start)
            if name_match.group() == "noparse" and not closing:
                # Everything up to </#noparse> is text, as typed.
                end = _NOPARSE_END.search(source, pos)
                if end is None or tokens:
                    raise source_map.fail("<#noparse> takes nothing and needs </#noparse>", start)
                if end.start() > pos:
                    chunks.append(TextChunk(source[pos : end.start()], pos))
                pos = end.end()
                continue
            chunks.append(
                TagChunk(name_match.group(), tuple(tokens), start, pos, closing, self_closing)
            )


def _macro_call(
    source_map: SourceMap, tokenizer: ExpressionTokenizer, found: re.Match[str], chunks: list[Chunk]
) -> int:
    """A macro call: a TagChunk named "@name" (or "@" for the short closing `</@>`)."""
    start, source = found.start(), source_map.source
    name_match = _TAG_NAME.match(source, found.end())
    name = name_match.group() if name_match else ""
    after = name_match.end() if name_match else found.end()
    tokens, pos, self_closing = tokenizer.tokenize(after, Terminator.TAG)
    closing = found.group().startswith("</")
    if closing and (tokens or self_closing):
        raise source_map.fail(f"Closing tag </@{name}> takes nothing", start)
    chunks.append(TagChunk("@" + name, tuple(tokens), start, pos, closing, self_closing))
    return pos
