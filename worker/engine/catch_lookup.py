"""Would the process catch a BPMN error with this code? Asked before throwing one, because an
error nothing catches silently ends the activity as if the work had succeeded."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict

from worker.engine.client import EngineClient
from worker.engine.error_catch import (
    InvalidBpmnError,
    ProcessModel,
    Verdict,
    catches,
    parse_definition,
)
from worker.engine.task import ExternalTask
from worker.errors import EngineError

log = logging.getLogger(__name__)

_MAX_CACHED_DEFINITIONS = 256
# Call activities nest; a deeper chain is more likely a loop in our reading than a real model.
_MAX_CALL_DEPTH = 16


class CatchLookup:
    """Answers True (caught), False (nothing catches it) or None (cannot tell: throw anyway).

    Process definitions never change once deployed, so each is parsed once and cached by id.
    """

    def __init__(self, engine: EngineClient) -> None:
        self._engine = engine
        self._models: OrderedDict[str, ProcessModel | None] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, task: ExternalTask, code: str) -> bool | None:
        instance_id = task.process_instance_id
        definition_id = task.process_definition_id
        activity_id = task.activity_id
        try:
            for _ in range(_MAX_CALL_DEPTH):
                model = self._model(definition_id)
                if model is None:
                    return None
                verdict = catches(model, activity_id, code)
                log.debug("task %s, %s: %s", task.id, code, verdict.reason)
                if verdict.verdict is Verdict.CAUGHT:
                    return True
                if verdict.verdict is Verdict.UNKNOWN:
                    return None
                # Not caught here: the error propagates to the call activity that started
                # this instance, if any.
                parent = self._engine.super_process_instance(instance_id)
                if parent is None:
                    return False
                calling = self._engine.calling_activity_id(str(parent["id"]), instance_id)
                if calling is None:
                    return None
                instance_id = str(parent["id"])
                definition_id = str(parent.get("definitionId") or "")
                activity_id = calling
        except EngineError as exc:
            log.warning("task %s: cannot tell whether %s is caught (%s)", task.id, code, exc)
        return None

    def _model(self, definition_id: str) -> ProcessModel | None:
        with self._lock:
            if definition_id in self._models:
                self._models.move_to_end(definition_id)
                return self._models[definition_id]
        xml = self._engine.process_definition_xml(definition_id)
        try:
            model: ProcessModel | None = parse_definition(xml)
        except InvalidBpmnError as exc:
            log.warning("process definition %s: %s", definition_id, exc)
            model = None
        with self._lock:
            self._models[definition_id] = model
            if len(self._models) > _MAX_CACHED_DEFINITIONS:
                self._models.popitem(last=False)
        return model
