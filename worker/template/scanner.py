"""Splits a template into text, `${...}` interpolations, FTL tags and comments.

It also applies FreeMarker's white-space stripping: a line holding only FTL tags and/or
comments (plus white-space) disappears together with its line break.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .lexer import ExpressionTokenizer, SourceMap, Terminator, Token


@dataclass(frozen=True)
class TextChunk:
    text: str
    start: int


@dataclass(frozen=True)
class InterpolationChunk:
    tokens: tuple[Token, ...]
    start: int
    end: int


@dataclass(frozen=True)
class TagChunk:
    """`<#name ...>` or, when `closing`, `</#name>`."""

    name: str
    tokens: tuple[Token, ...]
    start: int
    end: int
    closing: bool
    self_closing: bool


@dataclass(frozen=True)
class CommentChunk:
    start: int
    end: int


Chunk = TextChunk | InterpolationChunk | TagChunk | CommentChunk

_SPECIAL = re.compile(r"\$\{|<#--|</?#(?=[A-Za-z_])|</?@(?=[A-Za-z_])")
_TAG_NAME = re.compile(r"[A-Za-z_]\w*")
_BLANK = " \t\r\n"


def scan(source_map: SourceMap) -> list[Chunk]:
    return _strip_tag_only_lines(_raw_chunks(source_map))


def _raw_chunks(source_map: SourceMap) -> list[Chunk]:
    source = source_map.source
    tokenizer = ExpressionTokenizer(source_map)
    chunks: list[Chunk] = []
    pos = 0
    while pos < len(source):
        found = _SPECIAL.search(source, pos)
        if found is None:
            chunks.append(TextChunk(source[pos:], pos))
            break
        if found.start() > pos:
            chunks.append(TextChunk(source[pos : found.start()], pos))
        start, marker = found.start(), found.group()
        if marker == "${":
            tokens, pos, _ = tokenizer.tokenize(found.end(), Terminator.BRACE)
            if not tokens:
                raise source_map.fail("Empty interpolation ${}", start)
            chunks.append(InterpolationChunk(tuple(tokens), start, pos))
        elif marker == "<#--":
            close = source.find("-->", found.end())
            if close < 0:
                raise source_map.fail("Unclosed comment <#--: no --> follows", start)
            pos = close + 3
            chunks.append(CommentChunk(start, pos))
        elif "@" in marker:
            raise source_map.fail("User-defined directives (<@...>) are not supported", start)
        else:
            name_match = _TAG_NAME.match(source, found.end())
            assert name_match is not None  # the lookahead in _SPECIAL guarantees a name
            tokens, pos, self_closing = tokenizer.tokenize(name_match.end(), Terminator.TAG)
            closing = marker.startswith("</")
            if closing and (tokens or self_closing):
                raise source_map.fail(f"Closing tag </#{name_match.group()}> takes nothing", start)
            chunks.append(
                TagChunk(name_match.group(), tuple(tokens), start, pos, closing, self_closing)
            )
    return chunks


def _strip_tag_only_lines(chunks: list[Chunk]) -> list[Chunk]:
    lines = _split_into_lines(chunks)
    kept: list[Chunk] = []
    for line in lines:
        has_tag = any(isinstance(c, (TagChunk, CommentChunk)) for c in line)
        only_blank = all(
            isinstance(c, (TagChunk, CommentChunk))
            or (isinstance(c, TextChunk) and not c.text.strip(_BLANK))
            for c in line
        )
        strip = has_tag and only_blank
        kept.extend(c for c in line if not (strip and isinstance(c, TextChunk)))
    return _merge_text([c for c in kept if not isinstance(c, CommentChunk)])


def _split_into_lines(chunks: list[Chunk]) -> list[list[Chunk]]:
    """Lines as lists of chunks; a text chunk is cut after each line break. A tag spanning
    several lines belongs to one logical line, as it does in FreeMarker."""
    lines: list[list[Chunk]] = [[]]
    for chunk in chunks:
        if not isinstance(chunk, TextChunk):
            lines[-1].append(chunk)
            continue
        offset = chunk.start
        for piece in chunk.text.splitlines(keepends=True):
            lines[-1].append(TextChunk(piece, offset))
            offset += len(piece)
            if piece.endswith(("\n", "\r")):
                lines.append([])
    return lines


def _merge_text(chunks: list[Chunk]) -> list[Chunk]:
    merged: list[Chunk] = []
    for chunk in chunks:
        previous = merged[-1] if merged else None
        if isinstance(chunk, TextChunk) and isinstance(previous, TextChunk):
            merged[-1] = TextChunk(previous.text + chunk.text, previous.start)
        else:
            merged.append(chunk)
    return merged
