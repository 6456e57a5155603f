"""`twilio-sms-worker demo`: the whole product on one machine, no Docker, no Twilio account.

Starts a local engine (Camunda 7.24 from ``dev/engine``, or Operaton from
``dev/engine-operaton``; built with Maven on first use) and the
Twilio stand-in, deploys ``bpmn/send-sms.bpmn``, starts one instance with sample variables,
runs the worker until the instance ends (or waits in a user task), prints ``smsResult`` and
what the stand-in received, and stops everything, also on Ctrl-C.

Exit codes: 0 the SMS went out, 1 the instance took an error path (or did not finish in
time), 2 the engine could not be built or started (Java or Maven missing, for instance),
130 interrupted.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from worker.config import load_settings
from worker.dev.demo_parts import EXIT_INTERRUPTED, EXIT_NO_ENGINE, Narrator, on_local_parts
from worker.dev.local_engine import CAMUNDA, FLAVOURS, EngineFlavour, LocalEngine
from worker.dev.twilio_standin import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, TwilioStandIn
from worker.runtime.daemon import Daemon

EXIT_SENT, EXIT_NOT_SENT = 0, 1
__all__ = ["EXIT_INTERRUPTED", "EXIT_NOT_SENT", "EXIT_NO_ENGINE", "EXIT_SENT", "run_demo"]

PROCESS_KEY = "twilio-sms-example"
DEFAULT_BPMN = Path(__file__).resolve().parents[2] / "bpmn" / "send-sms.bpmn"
SAMPLE = {
    "customerName": "Ann",
    "customerPhone": "+14155552671",
    "orderId": "A-1042",
    # Twilio's test-credentials sender: accepted by the stand-in and by Twilio's test account.
    "smsSender": "+15005550006",
}
_USER_TASKS = {
    "Task_FixNumber": "the number was rejected: the process waits for someone to fix it",
    "Task_HandleFailure": "the SMS could not be sent: the process waits for someone to decide",
}


def run_demo(
    *,
    flavour: str = CAMUNDA.name,
    to: str = SAMPLE["customerPhone"],
    name: str = SAMPLE["customerName"],
    sender: str = SAMPLE["smsSender"],
    bpmn: Path = DEFAULT_BPMN,
    timeout_s: float = 60.0,
    poll_timeout_ms: int = 2_000,
    out: TextIO | None = None,
    engine: LocalEngine | None = None,
    engine_factory: Callable[[EngineFlavour], LocalEngine] = lambda f: LocalEngine(flavour=f),
) -> int:
    """Run the demo; returns the exit code. `flavour`: "camunda" or "operaton". `engine`: an
    engine already running (kept running, for tests); otherwise one is built, started and
    stopped here. `poll_timeout_ms` 0 turns long polling off: on a shared engine a long poll
    still open after the worker stops could lock the next run's task."""
    out = out or sys.stdout
    narrator = Narrator(out)
    sample = {**SAMPLE, "customerPhone": to, "customerName": name, "smsSender": sender}

    def demo(engine: LocalEngine, standin: TwilioStandIn) -> int:
        return _run(
            engine,
            standin,
            narrator,
            bpmn=bpmn,
            timeout_s=timeout_s,
            poll_timeout_ms=poll_timeout_ms,
            sample=sample,
        )

    try:
        if not bpmn.is_file():
            narrator.say(
                f"error: {bpmn} not found. The demo needs a checkout of the repository "
                "(bpmn/ and dev/): run it from there. An installed package has the other "
                "commands (run, check, send, render, sandbox)."
            )
            return EXIT_NO_ENGINE
        return on_local_parts(
            narrator, demo, engine=engine, flavour=FLAVOURS[flavour], engine_factory=engine_factory
        )
    finally:
        print(f"total time: {narrator.elapsed():.1f} s", file=out, flush=True)


def _run(
    engine: LocalEngine,
    standin: TwilioStandIn,
    clock: Narrator,
    *,
    bpmn: Path,
    timeout_s: float,
    poll_timeout_ms: int,
    sample: dict[str, str],
) -> int:
    engine.deploy(bpmn, name="twilio-sms-worker demo")
    clock.say(f"deployed {bpmn.name} (process '{PROCESS_KEY}')")
    settings = load_settings(
        {
            "TWILIO_ACCOUNT": DEFAULT_ACCOUNT_SID,
            "TWILIO_TOKEN": DEFAULT_AUTH_TOKEN,
            "TWILIO_API_URL": standin.url,
            "CAMUNDA_URL": engine.url,
            "SMS_WORKER_ID": "demo",
            "SMS_POLL_TIMEOUT_MS": str(poll_timeout_ms),
        }
    )
    with Daemon(settings).in_background(join_s=15):
        variables = {k: {"type": "String", "value": v} for k, v in sample.items()}
        instance = engine.start_process(PROCESS_KEY, variables, business_key=sample["orderId"])
        shown = ", ".join(f"{k}={v}" for k, v in sample.items())
        clock.say(f"started instance {instance} with {shown}")
        clock.say("worker running; waiting for the instance...")
        waiting = _wait(engine, instance, timeout_s)
    variables_now = engine.process_variables(instance)
    _print_received(standin, clock)
    if waiting is None:
        clock.say(f"instance ended at '{_end_event(engine, instance)}'")
        result = variables_now.get("smsResult", {}).get("value")
        print(f"smsResult = {_pretty(result)}", file=clock.out, flush=True)
        return EXIT_SENT
    if waiting == "":
        clock.say(f"the instance did not finish within {timeout_s:.0f} s")
        return EXIT_NOT_SENT
    clock.say(f"instance waits in user task '{waiting}': {_USER_TASKS.get(waiting, '')}")
    for key in ("smsErrorCode", "smsErrorMessage", "smsError", "smsResult"):
        value = variables_now.get(key, {}).get("value")
        if value is not None:
            print(f"{key} = {_pretty(value)}", file=clock.out, flush=True)
    return EXIT_NOT_SENT


def _wait(engine: LocalEngine, instance: str, timeout_s: float) -> str | None:
    """None when the instance ended, the user task's key when it waits in one, "" on timeout."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if engine.is_ended(instance):
            return None
        tasks = engine.call("GET", "/task", params={"processInstanceId": instance})
        if tasks:
            return str(tasks[0]["taskDefinitionKey"])
        time.sleep(0.2)
    return ""


def _end_event(engine: LocalEngine, instance: str) -> str:
    ends = engine.call(
        "GET",
        "/history/activity-instance",
        params={"processInstanceId": instance, "activityType": "noneEndEvent"},
    )
    return str(ends[0]["activityName"] or ends[0]["activityId"]) if ends else "?"


def _print_received(standin: TwilioStandIn, clock: Narrator) -> None:
    posts = [r for r in standin.received if r.method == "POST"]
    clock.say(f"the Twilio stand-in received {len(posts)} message request(s):")
    for r in posts:
        form = r.form
        print(
            f"  {r.status} From={form.get('From', '')} To={form.get('To', '')} "
            f"Body={json.dumps(form.get('Body', ''), ensure_ascii=False)}"
            + (f" -> {r.message_sid}" if r.message_sid else ""),
            file=clock.out,
            flush=True,
        )


def _pretty(value: Any) -> str:
    if isinstance(value, str):
        try:
            return json.dumps(json.loads(value), ensure_ascii=False)
        except ValueError:
            return value
    return json.dumps(value, ensure_ascii=False)
