"""The command line's grammar and help: each command's description, its options with their
defaults, and the environment variables it reads, listed from `worker.config.ENVIRONMENT` with
the defaults of `Settings` (so the help cannot drift from the settings)."""

from __future__ import annotations

import argparse
import enum
import fnmatch
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import MISSING, fields

from worker import __version__
from worker.config import ENVIRONMENT, Settings

Handler = Callable[[argparse.Namespace], int]

# Which settings each command reads, as patterns over the variable names.
_EVERY_SETTING = ("*",)
_LOGGING = ("SMS_LOG_FORMAT", "SMS_LOG_LEVEL")
_SENDING = ("TWILIO_*", "SMS_DEFAULT_REGION", *_LOGGING)


def environment_help(patterns: Sequence[str], note: str = "") -> str:
    """An epilog naming every variable that matches `patterns`, with its default."""
    names = [var for var in ENVIRONMENT if any(fnmatch.fnmatchcase(var, p) for p in patterns)]
    width = max(len(name) for name in names) + 2
    lines = ["environment variables read (the README's Configuration table explains each):"]
    lines += [f"  {name:<{width}}{_default(ENVIRONMENT[name])}" for name in names]
    return "\n".join([*lines, *([note] if note else [])])


# Defaults computed at start-up rather than written in `Settings`.
_COMPUTED_DEFAULTS = {
    "worker_id": "<hostname>-<pid>",
    "log_level": "info for run, warning for the other commands",
}


def _default(field_name: str) -> str:
    field = next(f for f in fields(Settings) if f.name == field_name)
    if field_name in _COMPUTED_DEFAULTS:
        return f"default: {_COMPUTED_DEFAULTS[field_name]}"
    if field.default is MISSING and field.default_factory is MISSING:
        return "required"
    if not field.repr:
        return "no default (a secret)"
    value = field.default
    if value is None or value == "":
        return "no default"
    return f"default: {value.value if isinstance(value, enum.Enum) else value}"


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the epilog's one-variable-per-line layout (descriptions are wrapped by hand)."""


def build_parser(handlers: dict[str, Handler]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="twilio-sms-worker",
        description=textwrap.fill(
            "Camunda 7 external task worker that sends SMS through Twilio (topic SEND_SMS). "
            "Run `twilio-sms-worker COMMAND --help` for a command's options.",
            79,
        ),
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, summary: str, description: str, epilog: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(
            name,
            help=summary,
            description=textwrap.fill(description, 79),
            epilog=epilog,
            formatter_class=_Formatter,
        )
        sub.set_defaults(handler=handlers[name])
        return sub

    command(
        "run",
        "run the worker until SIGTERM/SIGINT (the main job)",
        "Long-polls the engine for external tasks of topic SMS_TOPIC and sends each task's SMS "
        "through Twilio, up to SMS_MAX_CONCURRENCY at once. The first SIGTERM or SIGINT "
        "finishes the tasks in flight (at most SMS_SHUTDOWN_GRACE_MS), a second exits at once. "
        "Exits 2 naming every invalid setting.",
        environment_help(_EVERY_SETTING),
    )
    command(
        "check",
        "check the configuration, the engine and the Twilio credentials (sends nothing)",
        "Prints one ok/FAIL/skip line per check: the settings are valid, the engine answers "
        "GET /version at CAMUNDA_URL, and Twilio accepts the credentials (the account resource "
        "is fetched; nothing is sent). Exits 0 when all pass, 1 otherwise.",
        environment_help(_EVERY_SETTING),
    )
    send = command(
        "send",
        "send one SMS now, exactly as the worker would (credentials from the environment)",
        "Sends one SMS per recipient as a task with these inputs would: same checks, template "
        "and error codes. Prints smsResult (JSON) and exits 0; on a documented error exits 1 "
        "with a JSON object (errorCode, errorMessage) as the last line of stderr. Point it at "
        "the stand-in with TWILIO_API_URL (see `sandbox --help`).",
        environment_help(_SENDING, note="Every other setting is validated as for run."),
    )
    send.add_argument(
        "--from",
        dest="sms_from",
        required=True,
        help="smsFrom: a phone number, an alphanumeric sender ID (MyShop), a short code (12345) "
        "or a Messaging Service SID (MG...) (required)",
    )
    send.add_argument(
        "--to", dest="sms_to", required=True, help="smsTo: numbers, or a JSON list (required)"
    )
    send.add_argument(
        "--body", dest="sms_body", required=True, help="smsBody: a FreeMarker template (required)"
    )
    send.add_argument("--metadata", help="metadata: a JSON object (default: none)")

    render = command(
        "render",
        "preview an smsBody template with metadata",
        "Renders a template exactly as the worker would and prints the text, nothing more. "
        "Errors as for send.",
        environment_help(_LOGGING),
    )
    source = render.add_mutually_exclusive_group(required=True)
    source.add_argument("--body", help="the template text (this or --body-file is required)")
    source.add_argument("--body-file", help="a file holding the template (UTF-8)")
    render.add_argument("--metadata", help="metadata: a JSON object (default: none)")

    sandbox = command(
        "sandbox",
        "serve a Twilio Messages API stand-in (for demos and tests; sends nothing)",
        "Answers like Twilio's Messages API, with Twilio's test magic numbers "
        "(+15005550001 ...), and prints the credentials it accepts, how to point the worker "
        "at it, and one line per request. Runs until Ctrl-C or SIGTERM.",
        environment_help(_LOGGING),
    )
    sandbox.add_argument("--port", type=int, default=8081, help="port (default: %(default)s)")
    sandbox.add_argument(
        "--host",
        default="127.0.0.1",
        help="interface (default: %(default)s; 0.0.0.0 inside a container)",
    )
    sandbox.add_argument(
        "--account", help="Account SID it accepts (default: a fixed test SID, printed at start)"
    )
    sandbox.add_argument(
        "--token", help="auth token it accepts (default: a fixed test token, printed at start)"
    )
    sandbox.add_argument(
        "--inbound-url",
        help="where POST /sandbox/inbound delivers simulated inbound SMS, signed like Twilio "
        "(e.g. http://localhost:8082/twilio/inbound; default: none)",
    )

    demo = command(
        "demo",
        "run the example end to end here: local engine, Twilio stand-in, worker",
        "Needs a checkout of the repository (bpmn/ and dev/), Java 17 and, the first time, "
        "Maven: builds (first run only) and starts a local engine, serves the Twilio stand-in, "
        "deploys bpmn/send-sms.bpmn, starts one instance and runs the worker until it ends. "
        "Exits 0 when the SMS went out, 1 on an error path, 2 when the engine cannot run.",
        environment_help(_LOGGING),
    )
    demo.add_argument(
        "--engine",
        choices=("camunda", "operaton"),
        default="camunda",
        help="the engine to run: Camunda 7.24 or Operaton 1.0 (default: %(default)s)",
    )
    demo.add_argument(
        "--to", help="customerPhone (default: +14155552671; +15005550001 shows the error path)"
    )
    demo.add_argument("--name", help="customerName (default: Ann)")
    demo.add_argument("--from", dest="sender", help="smsSender (default: +15005550006)")
    demo.add_argument(
        "--timeout",
        type=float,
        default=60.0,
        help="seconds to wait for the instance (default: %(default)s)",
    )
    demo.add_argument(
        "--two-way",
        action="store_true",
        help="the appointment confirmation instead: send, status callbacks, a reply, the "
        "decision (webhooks service included)",
    )
    demo.add_argument(
        "--reply", default="YES", help="with --two-way: the customer's answer (default: YES)"
    )

    command(
        "webhooks",
        "serve Twilio's webhooks (delivery status, replies) into the engine until SIGTERM",
        "Serves POST /twilio/status and POST /twilio/inbound on SMS_WEBHOOK_HOST:"
        "SMS_WEBHOOK_PORT for Twilio, checking each request's X-Twilio-Signature against "
        "SMS_PUBLIC_URL, and correlates the BPMN messages SMS_STATUS and SMS_RECEIVED in the "
        "engine. Stateless: run as many as you like behind a load balancer. Exits 2 naming "
        "every invalid setting (SMS_PUBLIC_URL is required).",
        environment_help(_EVERY_SETTING),
    )
    return parser
