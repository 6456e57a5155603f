"""Output held back by `<#attempt>` and `<#compress>` bodies, which jinja runs as macros: the
body's output is counted as it is printed (`buffer`), then kept, dropped or compressed."""

from __future__ import annotations

from collections.abc import Callable

from . import limits
from .budget import charge
from .failures import MissingValueFailure, TemplateFailure, TemplateLimitFailure
from .protocols import HeldOutputState
from .text_builtins import UNITS_PER_PYTHON_CHAR


def buffer(state: HeldOutputState, text: str) -> str:
    """Output inside <#attempt> or <#compress>, which jinja holds until the block ends: held
    back at most as much as a render may print, so a loop inside cannot fill memory."""
    state.buffered += len(text)
    if state.buffered > limits.MAX_OUTPUT_CHARS:
        raise TemplateLimitFailure(
            f"The rendered text exceeds {limits.MAX_OUTPUT_CHARS:,} characters"
        )
    return text


class Recovered:
    """What `attempt` gives when a template error happened: its message, for `.error`."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


def attempt(state: HeldOutputState, body: Callable[[], str]) -> str | Recovered:
    """The output of `body`, or the error when a template error happened in it (its output
    is dropped). Exceeding a limit is not recovered from: the render stops, as it must."""
    held = state.buffered
    try:
        text = str(body())
    except TemplateLimitFailure:
        raise
    except MissingValueFailure:
        return Recovered("The template uses missing or null metadata")
    except TemplateFailure as failure:
        return Recovered(failure.message)
    finally:
        state.buffered = held
    # A macro's `<#return>` inside: FreeMarker drops what the body printed (it is no error,
    # so there is nothing to recover from either).
    return "" if state.returning else text


def attempt_failed(result: str | Recovered) -> bool:
    return isinstance(result, Recovered)


def compress(state: HeldOutputState, body: Callable[[], str]) -> str:
    """A macro's `<#return>` inside keeps what the body printed so far, as FreeMarker does."""
    held = state.buffered
    try:
        text = str(body())
    finally:
        state.buffered = held
    charge(UNITS_PER_PYTHON_CHAR * len(text) + 1)  # a Python loop over the characters
    return compress_white_space(text)


def compress_white_space(text: str) -> str:
    """FreeMarker's <#compress>: leading and trailing white-space goes; a run of it inside
    becomes its first line break (CR LF counts as one), or a space if it has none."""
    pieces: list[str] = []
    run_start = -1
    for at, char in enumerate(text):
        if char.isspace() and char not in "\u00a0\u2007\u202f":
            if run_start < 0:
                run_start = at
            continue
        if run_start >= 0:
            if pieces:
                pieces.append(_compressed(text[run_start:at]))
            run_start = -1
        pieces.append(char)
    return "".join(pieces)


def _compressed(run: str) -> str:
    for at, char in enumerate(run):
        if char == "\r":
            return "\r\n" if run[at + 1 : at + 2] == "\n" else "\r"
        if char == "\n":
            return "\n"
    return " "
