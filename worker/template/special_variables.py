"""Special variables (`.now`, `.lang`, `.vars["name"]` ...): the FreeMarker 2.3.34 ones that
make sense in a sandbox, each valued as the oracle's configuration values it (template name
`smsBody`, the task variable the template comes from; plain-text output; no output encoding
or URL escaping charset, so those are missing values).

Left out, as syntax errors: `.locale_object` (a Java Locale object), `.get_optional_template`
(loads templates), `.args` (a macro's catch-all arguments) and any name FreeMarker does not
know. `.node`/`.current_node` are missing values, as in FreeMarker without XML processing.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping
from typing import Any

from . import limits, locales, syntax
from .budget import charge
from .failures import TemplateDataFailure
from .held_output import Recovered
from .macros import TEMPLATE_LEVEL
from .protocols import ExpressionParsing, RenderingState
from .values import Missing

TEMPLATE_NAME = "smsBody"
FREEMARKER_VERSION = "2.3.34"
# FreeMarker's camelCase spellings of the same variables.
_CAMEL_CASE = {
    "templateName": "template_name",
    "mainTemplateName": "main_template_name",
    "currentTemplateName": "current_template_name",
    "callerTemplateName": "caller_template_name",
    "dataModel": "data_model",
    "timeZone": "time_zone",
    "currentNode": "current_node",
    "incompatibleImprovements": "incompatible_improvements",
    "outputEncoding": "output_encoding",
    "outputFormat": "output_format",
    "autoEsc": "auto_esc",
    "urlEscapingCharset": "url_escaping_charset",
}
_CONSTANTS: dict[str, Any] = {
    "template_name": TEMPLATE_NAME,
    "main_template_name": TEMPLATE_NAME,
    "current_template_name": TEMPLATE_NAME,
    "version": FREEMARKER_VERSION,
    "incompatible_improvements": FREEMARKER_VERSION,
    "output_format": "plainText",
    "auto_esc": False,
}
# Null in the oracle's configuration: a missing value.
_MISSING = frozenset({"node", "current_node"})
# Computed while rendering (see `value`); `.vars` and `.error` are compiled specially.
_DYNAMIC = frozenset({"now", "lang", "locale", "time_zone", "data_model", "globals", "main"})
_DYNAMIC |= {"namespace", "locals", "caller_template_name", "pass"}
_DYNAMIC |= {"output_encoding", "url_escaping_charset"}  # missing unless a <#setting> set them
SUPPORTED = frozenset(_CONSTANTS) | _MISSING | _DYNAMIC | {"vars", "error"}


def parse_special(parser: ExpressionParsing, start: int) -> syntax.Special:
    token = parser.peek(1)
    name = _CAMEL_CASE.get(token.text, token.text)
    if name not in SUPPORTED:
        raise parser.map.fail(f"The special variable .{token.text} is not supported", start)
    parser.pos += 2
    return syntax.Special(parser.span(start), name)


class PassMacro:
    """`.pass`: FreeMarker's macro that does nothing; as a value it can only be tested."""

    __slots__ = ()
    is_macro = True  # for `?is_macro`, `?is_directive` and `?has_content` (false)


class ChainedHash(Mapping[str, Any]):
    """A read-only view over several scopes, first hit wins (`.vars`, `.globals`). Like
    FreeMarker's, it can be read by key but not listed (`?keys` is an error)."""

    __slots__ = ("scopes",)
    unlisted = True  # for `?is_hash_ex` (false) and `?has_content` (true: never empty)

    def __init__(self, *scopes: Mapping[str, Any]) -> None:
        self.scopes = scopes

    def __getitem__(self, key: str) -> Any:
        for scope in self.scopes:
            value = scope.get(key)
            if value is not None:
                return value
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        raise TemplateDataFailure("This hash (a special variable) can't list its keys")

    def __len__(self) -> int:
        raise TemplateDataFailure("This hash (a special variable) can't list its keys")


def value(state: RenderingState, name: str, node_id: int) -> Any:
    charge(limits.WORK_PER_NODE)
    if name in _CONSTANTS:
        return _CONSTANTS[name]
    if name in _MISSING:
        return Missing(node_id)
    if name == "now":
        return locales.now(state)
    if name in ("lang", "locale"):
        locale = locales.current().name
        return locale.split("_")[0] if name == "lang" else locale
    if name == "time_zone":
        zone = locales.current_time_zone()
        return getattr(zone, "key", None) or ("UTC" if zone is datetime.timezone.utc else str(zone))
    if name in ("output_encoding", "url_escaping_charset"):
        charset = getattr(locales.current_formats(), name)
        return Missing(node_id) if charset is None else charset
    if name == "data_model":
        return state.data
    if name == "globals":
        return ChainedHash(state.globals, state.data)
    if name in ("main", "namespace"):
        charge(len(state.assigned) + 1)
        return dict(state.assigned)  # a snapshot: a value never holds itself
    frame = state.frames[-1] if state.frames else TEMPLATE_LEVEL
    in_macro = frame is not TEMPLATE_LEVEL
    if name == "locals":
        charge(len(frame.locals) + 1)
        return dict(frame.locals) if in_macro else Missing(node_id)
    if name == "caller_template_name":
        if not in_macro:
            raise TemplateDataFailure(
                "Can't get .caller_template_name here: no macro or function call is running",
                node_id=node_id,
            )
        return TEMPLATE_NAME
    return PassMacro()


def variables(state: RenderingState, loop_values: dict[str, Any], node_id: int) -> ChainedHash:
    """`.vars`: what a plain name would find (a loop variable, a local, an assigned or
    global variable, then metadata), readable by any key (`.vars["x-y"]`)."""
    del node_id
    frame = state.frames[-1] if state.frames else TEMPLATE_LEVEL
    loops = {name: found for name, found in loop_values.items() if found is not None}
    return ChainedHash(loops, frame.locals, state.assigned, state.globals, state.data)


def recovered_error(recovered: Any, node_id: int) -> str:
    """`.error`: the message of the error `<#recover>` recovers from (ours, not FreeMarker's
    wording); outside `<#recover>` an error while rendering, as in FreeMarker."""
    if not isinstance(recovered, Recovered):
        raise TemplateDataFailure(".error is only available inside <#recover>", node_id=node_id)
    return recovered.message
