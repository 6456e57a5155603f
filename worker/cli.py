"""Command line: `run` (the daemon), `check`, `send`, `render`, `sandbox`, `demo`.

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

from worker import __version__, template
from worker.config import LogFormat, load_log_settings, load_settings, secret_values
from worker.errors import ConfigError, ConnectorError, ErrorCode
from worker.logs import logging_to_stderr
from worker.metrics import Metrics
from worker.runtime.check import message_read_refused, run_checks
from worker.runtime.daemon import Daemon
from worker.sms.action import render_body, send_sms
from worker.sms.inputs import parse_metadata
from worker.sms.outcome import Abandoned, BusinessError, Completed, Crashed
from worker.twilio.client import TwilioClient

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2
# These validate every setting themselves, bad logging settings included, and report them all.
_LOADING_ALL_SETTINGS = frozenset({"run", "send", "check"})


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
        level = log_level.name if log_level else "INFO" if args.command == "run" else "WARNING"
        with logging_to_stderr(log_format, logging.getLevelName(level), secrets=secret_values()):
            code: int = args.handler(args)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    return code


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="twilio-sms-worker",
        description="Camunda 7 external task worker that sends SMS through Twilio.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="run the worker until SIGTERM/SIGINT (the main job)")
    run.set_defaults(handler=_run)

    check = commands.add_parser(
        "check",
        help="check the configuration, the engine and the Twilio credentials (sends nothing)",
    )
    check.set_defaults(handler=_check)

    send = commands.add_parser(
        "send", help="send one SMS now, exactly as the worker would (credentials from env)"
    )
    send.add_argument("--from", dest="sms_from", required=True, help="smsFrom")
    send.add_argument("--to", dest="sms_to", required=True, help="smsTo: numbers or JSON list")
    send.add_argument("--body", dest="sms_body", required=True, help="smsBody template")
    send.add_argument("--metadata", help="metadata: a JSON object")
    send.set_defaults(handler=_send)

    render = commands.add_parser("render", help="preview an smsBody template with metadata")
    source = render.add_mutually_exclusive_group(required=True)
    source.add_argument("--body", help="the template text")
    source.add_argument("--body-file", help="a file holding the template (UTF-8)")
    render.add_argument("--metadata", help="metadata: a JSON object")
    render.set_defaults(handler=_render)

    sandbox = commands.add_parser(
        "sandbox", help="serve a Twilio Messages API stand-in (for demos and tests; sends nothing)"
    )
    sandbox.add_argument("--port", type=int, default=8081)
    sandbox.add_argument("--host", default="127.0.0.1", help="0.0.0.0 inside a container")
    sandbox.add_argument("--account", help="Account SID it accepts (default: a fixed test SID)")
    sandbox.add_argument("--token", help="auth token it accepts (default: a fixed test token)")
    sandbox.set_defaults(handler=_sandbox)

    demo = commands.add_parser(
        "demo", help="run the example end to end here: local engine, Twilio stand-in, worker"
    )
    demo.add_argument(
        "--to", help="customerPhone (default +14155552671; +15005550001 shows the error path)"
    )
    demo.add_argument("--name", help="customerName (default Ann)")
    demo.add_argument("--from", dest="sender", help="smsSender (default +15005550006)")
    demo.add_argument(
        "--timeout", type=float, default=60.0, help="seconds to wait for the instance"
    )
    demo.set_defaults(handler=_demo)
    return parser


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
        print(refused, file=sys.stderr)
        return EXIT_USAGE
    logging.getLogger("worker").warning(
        "worker %s polling %s for topic %s (up to %d tasks at once)",
        settings.worker_id,
        settings.camunda_url,
        settings.topic,
        settings.max_concurrency,
    )
    try:
        left = daemon.serve()
    except OSError as exc:
        print(
            f"cannot serve metrics on {settings.metrics_host}:{settings.metrics_port} "
            f"(SMS_METRICS_HOST/SMS_METRICS_PORT): {exc}",
            file=sys.stderr,
        )
        return EXIT_USAGE
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
        print(f"Twilio stand-in on {standin.url} (account {standin.account_sid})", flush=True)

    signal.signal(signal.SIGTERM, signal.default_int_handler)
    serve(
        args.port,
        args.account or DEFAULT_ACCOUNT_SID,
        args.token or DEFAULT_AUTH_TOKEN,
        args.host,
        on_ready=ready,
    )
    return EXIT_OK


def _demo(args: argparse.Namespace) -> int:
    from worker.dev.demo import SAMPLE, run_demo  # noqa: PLC0415 - a development tool

    return run_demo(
        to=args.to or SAMPLE["customerPhone"],
        name=args.name or SAMPLE["customerName"],
        sender=args.sender or SAMPLE["smsSender"],
        timeout_s=args.timeout,
    )


def _print_error(error: dict[str, object]) -> None:
    print(json.dumps(error, ensure_ascii=False), file=sys.stderr)


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
        outcome = send_sms(values, client, default_region=settings.default_region)
    except Exception as exc:
        outcome = Crashed(f"{type(exc).__name__}: {exc}")
    finally:
        client.close()
    if isinstance(outcome, Completed):
        print(json.dumps(outcome.sms_result, ensure_ascii=False))
        return EXIT_OK
    if isinstance(outcome, BusinessError):
        _print_error({**outcome.sms_error, "smsResult": outcome.sms_result})
        return EXIT_ERROR
    message = outcome.reason if isinstance(outcome, Abandoned) else outcome.message
    _print_error({"errorCode": ErrorCode.UNKNOWN_ERROR.value, "errorMessage": message})
    return EXIT_ERROR


def _render(args: argparse.Namespace) -> int:
    try:
        source = template.read_template_file(args.body_file) if args.body_file else args.body
        text = render_body(source, parse_metadata(args.metadata))
    except ConnectorError as error:
        _print_error(error.to_json())
        return EXIT_ERROR
    sys.stdout.write(text)
    sys.stdout.flush()
    return EXIT_OK
