"""Would a BPMN error thrown at an activity be caught? Decided statically from the BPMN XML.

Camunda 7 ends an activity whose BPMN error nothing catches and the process carries on as if the
work had succeeded (unless the engine runs with ``enableExceptionsAfterUnhandledBpmnError``), so
the worker asks this module before throwing and raises an incident instead when nothing catches.

The rules follow Camunda 7's ``BpmnParse`` and ``ErrorDeclarationForProcessInstanceFinder``:

* walk from the activity out through each enclosing ``subProcess``/``transaction`` (event
  subprocesses included) to the ``process``; at each scope an error boundary event attached to it
  catches, and at each enclosing container an event subprocess directly inside it with an error
  start event catches -- except one that encloses the activity (Camunda never lets an error event
  subprocess catch an error re-thrown from inside itself);
* an ``errorEventDefinition`` without ``errorRef``, or whose ``bpmn:error`` has no ``errorCode``,
  catches every code; otherwise the code must be equal (case-sensitive, ``errorCode=""`` is the
  empty code, not catch-all); an ``errorRef`` naming no ``bpmn:error`` is itself the code;
* an ``errorCode`` containing ``${`` or ``#{`` makes the answer UNKNOWN unless something else
  along the walk certainly catches (Camunda 7.24 compares it literally, unevaluated; UNKNOWN
  keeps us safe should an engine version evaluate it).

Malformed input is reported by :func:`parse_definition` raising :class:`InvalidBpmnError` (callers
treat that as UNKNOWN); :func:`catches` itself never raises.
"""

from __future__ import annotations

import enum
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = [
    "MAX_BPMN_CHARS",
    "CatchVerdict",
    "InvalidBpmnError",
    "ProcessModel",
    "Verdict",
    "catches",
    "parse_definition",
]

MAX_BPMN_CHARS = 10 * 1024 * 1024

_BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
_DEFINITIONS = _BPMN + "definitions"
_SUBSCOPES = frozenset({_BPMN + "subProcess", _BPMN + "transaction"})


class InvalidBpmnError(ValueError):
    """The text is not analysable BPMN: malformed, has a DOCTYPE, too large or duplicate ids."""


class Verdict(enum.Enum):
    CAUGHT = "caught"
    UNCAUGHT_IN_PROCESS = "uncaught_in_process"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class CatchVerdict:
    verdict: Verdict
    reason: str


@dataclass(frozen=True)
class _Catcher:
    description: str
    code: str | None  # None catches every error code


@dataclass(frozen=True)
class ProcessModel:
    """Indexes of one deployed BPMN file; read-only once built, safe to cache and share."""

    parents: dict[str, str]  # flow element id -> id of its enclosing subProcess/process
    boundary_catchers: dict[str, tuple[_Catcher, ...]]  # by id of the activity attached to
    # by container id: (event subprocess id, its catcher) for event subprocesses directly inside
    event_subprocess_catchers: dict[str, tuple[tuple[str, _Catcher], ...]]


class _RejectDoctype(ET.TreeBuilder):
    def doctype(self, name: str, pubid: str | None, system: str | None) -> None:
        # BPMN never needs a DTD; refusing it closes entity tricks before expat sees the subset.
        raise InvalidBpmnError("BPMN XML must not contain a DOCTYPE declaration")


def parse_definition(bpmn_xml: str) -> ProcessModel:
    """Index a BPMN 2.0 definitions document; raises InvalidBpmnError if it cannot be analysed."""
    if len(bpmn_xml) > MAX_BPMN_CHARS:
        raise InvalidBpmnError(f"BPMN XML has {len(bpmn_xml)} characters; limit {MAX_BPMN_CHARS}")
    # Safe without defusedxml: expat (CPython >= 3.11) bounds entity expansion, DOCTYPE is refused.
    parser = ET.XMLParser(target=_RejectDoctype())  # noqa: S314
    try:
        parser.feed(bpmn_xml)
        root = parser.close()
    except ET.ParseError as exc:
        raise InvalidBpmnError(f"BPMN XML is not well-formed: {exc}") from exc
    if root.tag != _DEFINITIONS:
        raise InvalidBpmnError(f"root element is {root.tag!r}, expected {_DEFINITIONS!r}")

    errors = {e.get("id", ""): e.get("errorCode") for e in root.iterfind(_BPMN + "error")}

    def code_of(error_ref: str | None) -> str | None:
        # Camunda falls back to the errorRef text itself when no bpmn:error has that id.
        return None if error_ref is None else errors.get(error_ref, error_ref)

    parents: dict[str, str] = {}
    boundary_found: list[tuple[str, str, _Catcher]] = []  # (attached-to id, container id, ...)
    event_subs: dict[str, list[tuple[str, _Catcher]]] = {}
    seen: set[str] = set()
    # An explicit stack, not recursion: nesting depth is attacker-controlled.
    stack: list[tuple[ET.Element, str]] = []
    for process in root.iterfind(_BPMN + "process"):
        process_id = process.get("id", "")
        _claim(seen, process_id)
        stack.append((process, process_id))
    while stack:
        container, container_id = stack.pop()
        for child in container:
            child_id = child.get("id")
            if child_id is None or not child.tag.startswith(_BPMN):
                continue
            _claim(seen, child_id)
            parents[child_id] = container_id
            if child.tag in _SUBSCOPES:
                stack.append((child, child_id))
                if child.get("triggeredByEvent", "").lower() == "true":
                    for start in child.iterfind(_BPMN + "startEvent"):
                        for ref in _error_refs(start):
                            desc = f"event subprocess '{child_id}' in '{container_id}'"
                            catcher = _Catcher(desc, code_of(ref))
                            event_subs.setdefault(container_id, []).append((child_id, catcher))
            elif child.tag == _BPMN + "boundaryEvent":
                attached = child.get("attachedToRef", "")
                for ref in _error_refs(child):
                    desc = f"boundary event '{child_id}' on '{attached}'"
                    boundary_found.append((attached, container_id, _Catcher(desc, code_of(ref))))
    boundaries: dict[str, list[_Catcher]] = {}
    for attached, container_id, catcher in boundary_found:
        # Camunda only attaches a boundary event to an activity in its own container.
        if parents.get(attached) == container_id:
            boundaries.setdefault(attached, []).append(catcher)
    return ProcessModel(
        parents=parents,
        boundary_catchers={k: tuple(v) for k, v in boundaries.items()},
        event_subprocess_catchers={k: tuple(v) for k, v in event_subs.items()},
    )


def _claim(seen: set[str], element_id: str) -> None:
    # A duplicate id could make the parent chain loop; Camunda refuses such files as well.
    if element_id in seen:
        raise InvalidBpmnError(f"duplicate element id {element_id!r}")
    seen.add(element_id)


def _error_refs(event: ET.Element) -> Iterator[str | None]:
    for definition in event.iterfind(_BPMN + "errorEventDefinition"):
        yield definition.get("errorRef")


def catches(model: ProcessModel, activity_id: str, error_code: str) -> CatchVerdict:
    """Say whether a BPMN error ``error_code`` thrown at ``activity_id`` is caught in its process.

    UNCAUGHT_IN_PROCESS means the error leaves this process definition: the caller asks again for
    the call activity in the super process, if there is one.
    """
    if activity_id not in model.parents:
        return CatchVerdict(Verdict.UNKNOWN, f"activity '{activity_id}' not found in the BPMN")
    chain = [activity_id]
    while chain[-1] in model.parents:
        chain.append(model.parents[chain[-1]])
    enclosing = frozenset(chain)
    undecided: _Catcher | None = None
    for depth, scope in enumerate(chain):
        candidates = [
            catcher
            for sub_id, catcher in model.event_subprocess_catchers.get(scope, ())
            if depth > 0 and sub_id not in enclosing
        ]
        candidates.extend(model.boundary_catchers.get(scope, ()))
        for catcher in candidates:
            if catcher.code is None:
                return CatchVerdict(Verdict.CAUGHT, f"{catcher.description} catches all errors")
            if "${" in catcher.code or "#{" in catcher.code:
                undecided = undecided or catcher
            elif catcher.code == error_code:
                return CatchVerdict(Verdict.CAUGHT, f"{catcher.description} catches {error_code}")
    if undecided is not None:
        return CatchVerdict(
            Verdict.UNKNOWN,
            f"{undecided.description} has expression error code {undecided.code!r}",
        )
    return CatchVerdict(
        Verdict.UNCAUGHT_IN_PROCESS,
        f"nothing in process '{chain[-1]}' catches {error_code} thrown at '{activity_id}'",
    )
