"""The template package's own failures, raised internally and translated once, in `__init__`.

They carry positions as the parser knows them (line/column) or as the compiler recorded them
(a node id, resolved against the compiled template's node table when translated).
"""

from __future__ import annotations


class TemplateFailure(Exception):
    """Base: a message for the process modeller plus where in the template it happened."""

    def __init__(
        self,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        node_id: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.node_id = node_id

    def located_at(self, node_id: int) -> TemplateFailure:
        """Attach the position of the expression being evaluated, unless a deeper one is known."""
        if self.node_id is None and self.line is None:
            self.node_id = node_id
        return self


class TemplateReadFailure(TemplateFailure):
    """The template text itself cannot be obtained: not text, not UTF-8, unreadable, too big."""


class TemplateSyntaxFailure(TemplateFailure):
    """The template is not valid in the supported FreeMarker subset; found before rendering."""


class TemplateDataFailure(TemplateFailure):
    """The metadata does not fit the template: a missing value or a value of the wrong type."""


class MissingValueFailure(TemplateDataFailure):
    """A missing or null value was used where FreeMarker requires a value."""


class TemplateLimitFailure(TemplateFailure):
    """Rendering would exceed one of the bounds in `limits`."""
