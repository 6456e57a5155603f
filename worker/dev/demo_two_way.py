"""`twilio-sms-worker demo --two-way`: the appointment confirmation round trip on one machine.

The local engine, the Twilio stand-in, the worker (`run`) and the webhooks service
(`webhooks`), all in this process: deploys ``bpmn/appointment-confirmation.bpmn``, starts an
instance, lets the worker send "reply YES", lets the stand-in report the delivery to the
webhooks service (signed, like Twilio), then has the customer answer (a signed inbound SMS)
and shows where the instance ends and what it received.

Exit codes: 0 the appointment was confirmed, 1 it was not (the process wants a person to call),
2 the engine could not be built or started, 130 interrupted.
"""

from __future__ import annotations

import json
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from worker.config import load_settings
from worker.dev.demo_parts import EXIT_INTERRUPTED, EXIT_NO_ENGINE, Narrator, on_local_parts
from worker.dev.local_engine import LocalEngine
from worker.dev.twilio_standin import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, TwilioStandIn
from worker.runtime.daemon import Daemon
from worker.twilio.webhook_urls import INBOUND_PATH
from worker.webhooks.server import WebhookService

EXIT_CONFIRMED, EXIT_NOT_CONFIRMED = 0, 1
__all__ = [
    "EXIT_CONFIRMED",
    "EXIT_INTERRUPTED",
    "EXIT_NOT_CONFIRMED",
    "EXIT_NO_ENGINE",
    "run_two_way_demo",
]

PROCESS_KEY = "appointment-confirmation"
BPMN = Path(__file__).resolve().parents[2] / "bpmn" / "appointment-confirmation.bpmn"
SENDER = "+15005550006"


def free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return int(probe.getsockname()[1])


@contextmanager
def two_way_services(
    engine: LocalEngine, standin: TwilioStandIn, *, poll_timeout_ms: int = 0
) -> Iterator[str]:
    """The worker and the webhooks service, as `run` and `webhooks` would be, on loopback;
    yields the webhooks service's URL (its SMS_PUBLIC_URL)."""
    port = free_port()
    public_url = f"http://127.0.0.1:{port}"
    settings = load_settings(
        {
            "TWILIO_ACCOUNT": DEFAULT_ACCOUNT_SID,
            "TWILIO_TOKEN": DEFAULT_AUTH_TOKEN,
            "TWILIO_API_URL": standin.url,
            "CAMUNDA_URL": engine.url,
            "SMS_WORKER_ID": "demo-two-way",
            "SMS_POLL_TIMEOUT_MS": str(poll_timeout_ms),
            "SMS_PUBLIC_URL": public_url,
            "SMS_WEBHOOK_HOST": "127.0.0.1",
            "SMS_WEBHOOK_PORT": str(port),
        }
    )
    with (
        WebhookService(settings).in_background(join_s=15),
        Daemon(settings).in_background(join_s=15),
    ):
        yield public_url


def run_two_way_demo(
    *,
    to: str = "+14155552671",
    name: str = "Ann",
    reply: str = "YES",
    timeout_s: float = 60.0,
    out: TextIO | None = None,
    engine: LocalEngine | None = None,
) -> int:
    narrator = Narrator(out or sys.stdout)

    def demo(engine: LocalEngine, standin: TwilioStandIn) -> int:
        return _round_trip(
            engine, standin, narrator, to=to, name=name, reply=reply, timeout_s=timeout_s
        )

    return on_local_parts(narrator, demo, engine=engine)


def _round_trip(
    engine: LocalEngine,
    standin: TwilioStandIn,
    clock: Narrator,
    *,
    to: str,
    name: str,
    reply: str,
    timeout_s: float,
) -> int:
    engine.deploy(BPMN, name="twilio-sms-worker two-way demo")
    with two_way_services(engine, standin) as public_url:
        clock.say(f"worker and webhooks service running (SMS_PUBLIC_URL={public_url})")
        variables = {
            "customerName": name,
            "customerPhone": to,
            "appointment": "Tuesday at 10:30",
            "smsSender": SENDER,
        }
        instance = engine.start_process(
            PROCESS_KEY, {k: {"type": "String", "value": v} for k, v in variables.items()}
        )
        clock.say(f"started instance {instance} for {name} ({to})")
        sent = LocalEngine.wait_until(
            lambda: [r for r in standin.received if r.form.get("To") == to and r.status == 201],
            timeout_s,
            what="the SMS to reach the Twilio stand-in",
        )
        clock.say(f'SMS sent: "{sent[0].form.get("Body", "")}"')
        standin.webhooks.wait_idle(timeout_s)
        LocalEngine.wait_until(
            lambda: settled_or_waiting_for_reply(engine, instance), timeout_s, what="a wait"
        )
        for hook in standin.webhooks.sent:
            clock.say(f"  status callback {hook.params.get('MessageStatus')}: HTTP {hook.status}")
        answer = standin.webhooks.send_inbound(to, SENDER, reply, url=public_url + INBOUND_PATH)
        clock.say(f'{name} replies "{reply}": the webhook answered HTTP {answer.status}')
        where = _settled(engine, instance, timeout_s)
    shown = engine.process_variables(instance)
    for key in ("smsStatus", "smsReply"):
        value = shown.get(key, {}).get("value")
        if value is not None:
            print(f"{key} = {json.dumps(json.loads(value), ensure_ascii=False)}", file=clock.out)
    clock.say(f"the instance is at '{where}'")
    return EXIT_CONFIRMED if where == "End_Confirmed" else EXIT_NOT_CONFIRMED


def settled_or_waiting_for_reply(engine: LocalEngine, instance: str) -> bool:
    """The instance waits for SMS_RECEIVED, or has gone past that point: a reply now finds it
    (a customer answering within milliseconds of the SMS is a race only a demo runs)."""
    waits = engine.call(
        "GET",
        "/event-subscription",
        params={"processInstanceId": instance, "eventType": "message", "eventName": "SMS_RECEIVED"},
    )
    if waits or engine.is_ended(instance):
        return True
    return bool(engine.call("GET", "/task", params={"processInstanceId": instance}))


def _settled(engine: LocalEngine, instance: str, timeout_s: float) -> str:
    """Where the instance came to rest: its end event, or the user task it waits in."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if engine.is_ended(instance):
            ends = engine.call(
                "GET",
                "/history/activity-instance",
                params={"processInstanceId": instance, "activityType": "noneEndEvent"},
            )
            return str(ends[0]["activityId"]) if ends else "?"
        tasks = engine.call("GET", "/task", params={"processInstanceId": instance})
        if tasks:
            return str(tasks[0]["taskDefinitionKey"])
        time.sleep(0.2)
    return "(still waiting)"
