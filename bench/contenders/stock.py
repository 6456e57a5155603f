"""Contender (b): the stock `ExternalTaskWorker` of camunda-external-task-client-python3 doing
the same send action as our worker, in its best configuration (maxTasks 10, long polling).

Usage: python -m bench.contenders.stock URL TOPIC  (Twilio settings from the environment,
as for `twilio-sms-worker run`). It runs until killed: the library offers no way to stop.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from camunda.external_task.external_task import ExternalTask, TaskResult
from camunda.external_task.external_task_worker import ExternalTaskWorker

from worker.config import load_settings
from worker.engine.variables import unwrap_all
from worker.errors import ConnectorError
from worker.sms.action import send_sms
from worker.sms.inputs import INPUT_NAMES
from worker.sms.outcome import BusinessError, Completed
from worker.twilio.client import TwilioClient

CONFIG: dict[str, Any] = {
    "maxTasks": 10,
    "lockDuration": 60_000,
    "asyncResponseTimeout": 30_000,
    # The library's default (True) mangles Json variables: the engine must send them as text.
    "deserializeValues": False,
    "includeExtensionProperties": False,
    # Its default is to sleep 300 s after any error; a benchmark would rather see it retry.
    "sleepSeconds": 1,
}


def _no_download(name: str) -> bytes:
    raise RuntimeError(f"{name}: the benchmark sends no File variables")


def make_handler(twilio: TwilioClient, default_region: str | None) -> Any:
    def handle(task: ExternalTask) -> TaskResult:
        typed = {name: task.get_variable(name, with_meta=True) for name in INPUT_NAMES}
        present = {name: value for name, value in typed.items() if value is not None}
        try:
            values = unwrap_all(INPUT_NAMES, present, _no_download)
        except ConnectorError as error:
            return task.bpmn_error(error.code.value, error.message)
        outcome = send_sms(values, twilio, default_region=default_region)
        if isinstance(outcome, Completed):
            result = {"type": "Json", "value": json.dumps(outcome.sms_result)}
            return task.complete({"smsResult": result})
        if isinstance(outcome, BusinessError):
            return task.bpmn_error(outcome.code.value, outcome.message)
        return task.failure(str(outcome), "", 0, 60_000)

    return handle


def main(argv: list[str]) -> int:
    url, topic = argv
    settings = load_settings()
    twilio = TwilioClient(settings.twilio, pool_size=1)  # the stock worker runs one task at a time
    worker = ExternalTaskWorker(f"stock-{topic}", url, CONFIG)
    worker.subscribe([topic], make_handler(twilio, settings.default_region), variables=INPUT_NAMES)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
