"""Getting template text from bytes or a file: UTF-8 text only, within the size limit."""

from __future__ import annotations

import re

from . import limits
from .engine import check_template_size
from .failures import TemplateReadFailure

# C0 control characters other than tab, line feed, vertical tab, form feed and carriage return
# do not occur in text; their presence means the bytes are not a template.
_BINARY = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def decode_template_bytes(data: bytes) -> str:
    if len(data) > limits.MAX_TEMPLATE_BYTES:
        raise TemplateReadFailure(
            f"The template is {len(data):,} bytes; the limit is {limits.MAX_TEMPLATE_BYTES:,}"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise TemplateReadFailure(
            f"The template is not valid UTF-8 text (invalid byte at offset {error.start})"
        ) from None
    binary = _BINARY.search(text)
    if binary:
        raise TemplateReadFailure(
            f"The template contains binary data (control character "
            f"U+{ord(binary.group()):04X} at character {binary.start()})"
        )
    check_template_size(text)
    return text


def read_template_bytes(path: str) -> bytes:
    try:
        with open(path, "rb") as file:
            return file.read(limits.MAX_TEMPLATE_BYTES + 1)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise TemplateReadFailure(f"Cannot read the template file {path!r}: {reason}") from None
