"""Command line: `run` (the daemon), `webhooks`, `check`, `send`, `render`, `sandbox`, `demo`.

Exit codes: 0 success, 1 a documented error (the last line of stderr is one JSON object with
`errorCode` and `errorMessage`) or a failed check, 2 usage or configuration errors.

Signals are handled here and nowhere else. The development tools (`sandbox`, `demo`) are
imported only when those commands run, so the product never loads them.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from worker import template
from worker.cli_parser import build_parser
from worker.config import LogFormat, Settings, load_log_settings, load_settings, secret_values
from worker.errors import ConfigError, ConnectorError, ErrorCode
from worker.logs import logging_to_stderr
from worker.metrics import Metrics
from worker.redaction import Redactor, mask_numbers
from worker.runtime.check import message_read_refused, run_checks
from worker.runtime.daemon import Daemon
from worker.sms.action import render_body, send_sms
from worker.sms.inputs import parse_body, parse_metadata
from worker.sms.outcome import Abandoned, BusinessError, Completed, Crashed
from worker.twilio.client import TwilioClient

if TYPE_CHECKING:
    from worker.dev.twilio_http import ReceivedRequest

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2
# These validate every setting themselves, bad logging settings included, and report them all.
_LOADING_ALL_SETTINGS = frozenset({"run", "send", "check", "webhooks"})
# Commands that log at INFO by default (the others at WARNING).
_SERVICES = frozenset({"run", "webhooks"})


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        try:
            log_format, log_level = load_log_settings()
        except ConfigError:
            if args.command not in _LOADING_ALL_SETTINGS:
                raise
            log_format, log_level = LogFormat.HUMAN, None
        level = log_level.name if log_level else "INFO" if args.command in _SERVICES else "WARNING"
        with logging_to_stderr(log_format, logging.getLevelName(level), secrets=secret_values()):
            code: int = args.handler(args)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    return code


def _parser() -> argparse.ArgumentParser:
    return build_parser(
        {
            "run": _run,
            "check": _check,
            "send": _send,
            "render": _render,
            "sandbox": _sandbox,
            "demo": _demo,
            "webhooks": _webhooks,
        }
    )


def _run(args: argparse.Namespace) -> int:
    settings = load_settings()
    daemon = Daemon(settings, metrics=Metrics(process_stats=True))
    signals_seen = 0

    def on_signal(signum: int, _frame: object) -> None:
        nonlocal signals_seen
        signals_seen += 1
        if signals_seen == 1:
            logging.getLogger("worker").warning(
                "%s: finishing in-flight tasks; send it again to exit at once",
                signal.Signals(signum).name,
            )
            daemon.stop()
        else:
            # Second signal: the operator wants out now. Tasks still running keep their
            # locks until they expire, then the engine hands them out again.
            daemon.abort()
            os._exit(128 + signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    refused = message_read_refused(daemon)
    if refused is not None:
        daemon.close()
        print(Redactor(settings.secrets).text(refused), file=sys.stderr)
        return EXIT_USAGE
    for warning in settings.warnings:
        logging.getLogger("worker").warning("%s", warning)
    logging.getLogger("worker").info(
        "worker %s polling %s for topic %s (up to %d tasks at once)",
        settings.worker_id,
        settings.camunda_url,
        settings.topic,
        settings.max_concurrency,
    )
    try:
        left = daemon.serve()
    except OSError as exc:
        return _ops_port_unavailable(settings, exc)
    if left:
        # Their threads are still inside a Twilio or engine call and would hold the exit up
        # until their timeouts; their tasks are left to their locks, as logged.
        logging.shutdown()
        os._exit(EXIT_OK)
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    results = run_checks()
    for result in results:
        print(result.line(), flush=True)
    return EXIT_OK if all(result.ok for result in results) else EXIT_ERROR


def _sandbox(args: argparse.Namespace) -> int:
    from worker.dev.twilio_standin import (  # noqa: PLC0415 - a development tool, loaded on use
        DEFAULT_ACCOUNT_SID,
        DEFAULT_AUTH_TOKEN,
        TwilioStandIn,
        serve,
    )

    def ready(standin: TwilioStandIn) -> None:
        standin.webhooks.inbound_url = args.inbound_url
        # These are the stand-in's own made-up credentials, printed so `send` can use them.
        print(
            f"Twilio stand-in on {standin.url} (answers like Twilio; no SMS leaves this machine)\n"
            f"  Account SID  {standin.account_sid}\n"
            f"  Auth token   {standin.auth_token}\n"
            "Point the worker (or `send`) at it:\n"
            f"  export TWILIO_API_URL={standin.url} TWILIO_ACCOUNT={standin.account_sid} "
            f"TWILIO_TOKEN={standin.auth_token}\n"
            "  twilio-sms-worker send --from +15005550006 --to +14155552671 --body 'Hello'\n"
            + (
                f"Simulated inbound SMS: POST {standin.url}/sandbox/inbound (From, To, Body) "
                f"-> {args.inbound_url}\n"
                if args.inbound_url
                else ""
            )
            + "Requests as they come (Ctrl-C stops):",
            flush=True,
        )

    def received(request: ReceivedRequest) -> None:
        print(f"  {_request_line(request)}", flush=True)

    signal.signal(signal.SIGTERM, signal.default_int_handler)
    serve(
        args.port,
        args.account or DEFAULT_ACCOUNT_SID,
        args.token or DEFAULT_AUTH_TOKEN,
        args.host,
        on_ready=ready,
        on_request=received,
    )
    return EXIT_OK


def _request_line(request: ReceivedRequest) -> str:
    """`POST Messages From=+15005550006 To=+1415***2671 -> 201 SM...`: numbers masked."""
    resource = request.path.rsplit("/", 1)[-1].removesuffix(".json")
    parts = [request.method, resource]
    for name in ("From", "MessagingServiceSid", "To"):
        if name in request.form:
            parts.append(f"{name}={mask_numbers(request.form[name])}")
    outcome = "connection reset" if request.status is None else str(request.status)
    return (
        " ".join(parts)
        + f" -> {outcome}"
        + (f" {request.message_sid}" if request.message_sid else "")
    )


def _demo(args: argparse.Namespace) -> int:
    from worker.dev.demo import SAMPLE, run_demo  # noqa: PLC0415 - a development tool

    if args.two_way:
        return _demo_two_way(args)
    return run_demo(
        flavour=args.engine,
        to=args.to or SAMPLE["customerPhone"],
        name=args.name or SAMPLE["customerName"],
        sender=args.sender or SAMPLE["smsSender"],
        timeout_s=args.timeout,
    )


def _print_error(error: dict[str, object], redactor: Redactor) -> None:
    # The same rule as for what reaches the engine (worker.redaction).
    print(json.dumps(redactor.error_json(error), ensure_ascii=False), file=sys.stderr)


def _send(args: argparse.Namespace) -> int:
    settings = load_settings()
    client = TwilioClient(settings.twilio, pool_size=1)
    values = {
        "smsFrom": args.sms_from,
        "smsTo": args.sms_to,
        "smsBody": args.sms_body,
        "metadata": args.metadata,
    }
    try:
        outcome = send_sms(
            values,
            client,
            default_region=settings.default_region,
            template_locale=settings.template_locale,
            template_time_zone=settings.template_time_zone,
        )
    except Exception as exc:
        outcome = Crashed(f"{type(exc).__name__}: {exc}")
    finally:
        client.close()
    if isinstance(outcome, Completed):
        print(json.dumps(outcome.sms_result, ensure_ascii=False))
        return EXIT_OK
    redactor = Redactor(settings.secrets)
    if isinstance(outcome, BusinessError):
        _print_error({**outcome.sms_error, "smsResult": outcome.sms_result}, redactor)
        return EXIT_ERROR
    message = outcome.reason if isinstance(outcome, Abandoned) else outcome.message
    _print_error({"errorCode": ErrorCode.UNKNOWN_ERROR.value, "errorMessage": message}, redactor)
    return EXIT_ERROR


def _render(args: argparse.Namespace) -> int:
    try:
        # The same checks as a task's smsBody and metadata (size, Unicode, JSON bounds).
        source = template.read_template_file(args.body_file) if args.body_file else args.body
        text = render_body(parse_body(source), parse_metadata(args.metadata))
    except ConnectorError as error:
        _print_error(error.to_json(), Redactor(secret_values()))
        return EXIT_ERROR
    sys.stdout.write(text)
    sys.stdout.flush()
    return EXIT_OK


def _ops_port_unavailable(settings: Settings, exc: OSError) -> int:
    # Both services document an OSError from `serve()` as the ops port that could not be bound.
    print(
        f"cannot serve metrics on {settings.metrics_host}:{settings.metrics_port} "
        f"(SMS_METRICS_HOST/SMS_METRICS_PORT): {exc}",
        file=sys.stderr,
    )
    return EXIT_USAGE


# --- two-way SMS -------------------------------------------------------------------------------


def _webhooks(args: argparse.Namespace) -> int:
    from worker.webhooks.server import WebhookService  # noqa: PLC0415 - only this command

    settings = load_settings()
    try:
        service = WebhookService(settings, metrics=Metrics(process_stats=True))
    except OSError as exc:
        print(
            f"cannot listen on {settings.webhook_host}:{settings.webhook_port} "
            f"(SMS_WEBHOOK_HOST/SMS_WEBHOOK_PORT): {exc}",
            file=sys.stderr,
        )
        return EXIT_USAGE

    def on_signal(signum: int, _frame: object) -> None:
        logging.getLogger("worker").warning(
            "%s: finishing the webhooks being answered", signal.Signals(signum).name
        )
        service.stop()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        service.serve()
    except OSError as exc:
        return _ops_port_unavailable(settings, exc)
    return EXIT_OK


def _demo_two_way(args: argparse.Namespace) -> int:
    from worker.dev.demo_two_way import run_two_way_demo  # noqa: PLC0415 - a development tool

    return run_two_way_demo(
        to=args.to or "+14155552671",
        name=args.name or "Ann",
        reply=args.reply,
        timeout_s=args.timeout,
    )
