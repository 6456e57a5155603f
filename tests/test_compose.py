"""docker-compose.yml, Dockerfile and .dockerignore, checked statically (no Docker engine here):
they parse, point at files that exist, set only settings the worker reads, run commands the CLI
accepts, and allow `docker compose up --scale worker=3`."""

from __future__ import annotations

import fnmatch
import re
import shlex
from pathlib import Path
from typing import Any

import yaml

from worker.cli import _parser
from worker.config import ENVIRONMENT, load_settings, webhook_settings
from worker.dev.twilio_standin import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN
from worker.twilio.webhook_urls import INBOUND_PATH

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
CAMUNDA_IMAGE = "camunda/camunda-bpm-platform:run-7.24.0"
# ${VAR}, ${VAR:-default}, ${VAR-default}: compose's interpolation, as the worker would see it.
_INTERPOLATION = re.compile(r"\$\{(\w+)(?::?-([^}]*))?\}")


def _compose() -> dict[str, Any]:
    return dict(yaml.safe_load(COMPOSE.read_text(encoding="utf-8")))


def _services() -> dict[str, Any]:
    return dict(_compose()["services"])


def _interpolate(value: object, env: dict[str, str]) -> str:
    return _INTERPOLATION.sub(lambda m: env.get(m.group(1)) or (m.group(2) or ""), str(value))


def _worker_env(env: dict[str, str] | None = None) -> dict[str, str]:
    raw = _services()["worker"]["environment"]
    assert isinstance(raw, dict), "use the mapping form for environment"
    return {k: _interpolate(v, env or {}) for k, v in raw.items()}


def test_compose_has_the_engine_the_sandbox_and_the_worker() -> None:
    services = _services()
    assert set(services) == {"camunda", "twilio-sandbox", "worker", "webhooks"}
    camunda = services["camunda"]
    assert camunda["image"] == CAMUNDA_IMAGE
    mounts = [v.split(":") for v in camunda["volumes"]]
    assert ["./bpmn", "/camunda/configuration/resources", "ro"] in mounts
    for source, *_ in mounts:
        assert (ROOT / source).is_dir(), source
    assert (ROOT / "bpmn" / "send-sms.bpmn").is_file()
    assert "/engine-rest/" in " ".join(camunda["healthcheck"]["test"])


def test_worker_and_sandbox_are_built_from_the_dockerfile_and_run_real_commands() -> None:
    services = _services()
    parser = _parser()
    for name in ("worker", "twilio-sandbox"):
        service = services[name]
        context = (
            service["build"] if isinstance(service["build"], str) else service["build"]["context"]
        )
        assert (ROOT / context / "Dockerfile").is_file()
        args = parser.parse_args(service["command"])  # SystemExit if the CLI does not know it
        assert args.command == {"worker": "run", "twilio-sandbox": "sandbox"}[name]
    sandbox = parser.parse_args(services["twilio-sandbox"]["command"])
    # Reachable from the worker's container, on the port the worker is pointed at.
    assert sandbox.host == "0.0.0.0"
    assert _worker_env()["TWILIO_API_URL"] == f"http://twilio-sandbox:{sandbox.port}"
    # No --account: the stand-in accepts its default account, the one the worker is given.
    assert sandbox.account in (None, DEFAULT_ACCOUNT_SID)
    assert services["worker"]["depends_on"]["camunda"]["condition"] == "service_healthy"


def test_every_variable_set_on_the_worker_is_one_it_reads() -> None:
    unknown = set(_worker_env()) - set(ENVIRONMENT)
    assert unknown == set()


def test_by_default_the_worker_uses_the_sandbox_with_its_credentials() -> None:
    env = _worker_env()
    assert env["CAMUNDA_URL"] == "http://camunda:8080/engine-rest"
    assert (env["TWILIO_ACCOUNT"], env["TWILIO_TOKEN"]) == (DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN)
    settings = load_settings(env)  # the whole configuration is valid as compose would pass it
    assert settings.twilio_api_url == "http://twilio-sandbox:8081"
    # Plain http:// to a host other than localhost needs saying so explicitly.
    assert settings.twilio_allow_insecure_http is True
    assert settings.default_region is None


def test_going_live_is_three_lines_in_dot_env() -> None:
    """The lines the compose file's comment and the README show."""
    live = {
        "TWILIO_API_URL": "https://api.twilio.com",
        "TWILIO_ACCOUNT": "AC" + "0123456789abcdef" * 2,
        "TWILIO_TOKEN": "secret",
    }
    text = COMPOSE.read_text(encoding="utf-8")
    for name in live:
        assert f"#   {name}=" in text
    settings = load_settings(_worker_env(live))
    assert settings.twilio_api_url == "https://api.twilio.com"
    assert settings.twilio_auth == (live["TWILIO_ACCOUNT"], "secret")


def test_the_worker_can_be_scaled_out() -> None:
    worker = _services()["worker"]
    assert "container_name" not in worker
    assert "ports" not in worker
    # Each replica must get its own worker id: the default (hostname-pid) does that.
    assert "SMS_WORKER_ID" not in worker.get("environment", {})


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "")
        for line in lines
        if line and not line.startswith("#")
    ]


def test_the_dockerfile_builds_a_slim_non_root_image_that_runs_the_worker() -> None:
    instructions = _instructions()
    args = {a.split("=", 1)[0]: a.split("=", 1)[1] for i, a in instructions if i == "ARG"}
    stages = [a for i, a in instructions if i == "FROM"]
    assert len(stages) == 2, "a build stage and a runtime stage"
    base = args["PYTHON_IMAGE"]
    assert re.fullmatch(r"python:3\.1[0-9]-slim(-\w+)?", base), base
    last_from = max(n for n, (i, _) in enumerate(instructions) if i == "FROM")
    final = instructions[last_from:]
    kinds = [i for i, _ in final]
    # Runtime stage: copies the virtualenv from the build stage, nothing is compiled there.
    copies = [a for i, a in final if i == "COPY"]
    assert copies == ["--from=build /opt/venv /opt/venv"]
    assert not any("pip install" in a or "apt-get" in a for i, a in final if i == "RUN")
    user = [a for i, a in final if i == "USER"][-1]
    assert user.split(":")[0] not in ("root", "0")
    assert kinds.index("USER") < kinds.index("ENTRYPOINT")
    healthcheck = next(a for i, a in final if i == "HEALTHCHECK")
    assert "/healthz" in healthcheck
    entrypoint = next(a for i, a in final if i == "ENTRYPOINT")
    command = next(a for i, a in final if i == "CMD")
    assert shlex.split(entrypoint.strip("[]").replace(",", " ")) == ["twilio-sms-worker"]
    assert shlex.split(command.strip("[]").replace(",", " ")) == ["run"]


def _ignored(path: str, patterns: list[str]) -> bool:
    """.dockerignore semantics, enough for our file: last match wins, ! re-includes."""
    ignored = False
    for line in patterns:
        negate = line.startswith("!")
        pattern = line.lstrip("!").rstrip("/")
        parts = path.split("/")
        prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
        if any(fnmatch.fnmatch(p, pattern) for p in prefixes) or (
            pattern.startswith("**/") and any(fnmatch.fnmatch(p, pattern[3:]) for p in parts)
        ):
            ignored = not negate
    return ignored


def test_what_the_dockerfile_copies_exists_and_is_not_ignored() -> None:
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    sources = []
    for instruction, args in _instructions():
        if instruction == "COPY" and not args.startswith("--from"):
            sources += args.split()[:-1]
    assert sources
    for source in sources:
        assert (ROOT / source).exists(), source
        assert not _ignored(source, patterns), source
    for module in (ROOT / "worker").rglob("*.py"):
        assert not _ignored(module.relative_to(ROOT).as_posix(), patterns), module
    # Kept out: secrets, dependencies of the tests, build output.
    for kept_out in (
        ".env",
        "node_modules/bpmnlint/package.json",
        "dev/engine/target/x.jar",
        ".git/config",
        "tests/test_compose.py",
        "worker/__pycache__/cli.cpython-312.pyc",
    ):
        assert _ignored(kept_out, patterns), kept_out


# --- two-way SMS ----------------------------------------------------------------------------


def _env(service: str, env: dict[str, str] | None = None) -> dict[str, str]:
    raw = _services()[service]["environment"]
    assert isinstance(raw, dict), "use the mapping form for environment"
    return {k: _interpolate(v, env or {}) for k, v in raw.items()}


def test_the_webhooks_service_runs_the_webhooks_command_with_valid_settings() -> None:
    service = _services()["webhooks"]
    assert _parser().parse_args(service["command"]).command == "webhooks"
    assert set(_env("webhooks")) <= set(ENVIRONMENT)
    hooks = webhook_settings(load_settings(_env("webhooks")))
    assert hooks.signing_token == DEFAULT_AUTH_TOKEN
    assert service["depends_on"]["camunda"]["condition"] == "service_healthy"
    assert "/readyz" in " ".join(service["healthcheck"]["test"])
    assert f"{hooks.port}:{hooks.port}" in service["ports"]


def test_the_sandbox_the_worker_and_twilio_agree_on_the_webhooks_url() -> None:
    """The sandbox signs for the URL it calls; the webhooks service checks against its public
    URL; the worker gives Twilio that URL for status callbacks: all three must be one."""
    public = _env("webhooks")["SMS_PUBLIC_URL"]
    assert _worker_env()["SMS_PUBLIC_URL"] == public
    sandbox = _parser().parse_args(_services()["twilio-sandbox"]["command"])
    assert sandbox.inbound_url == f"{public}{INBOUND_PATH}"
    live = {"SMS_PUBLIC_URL": "https://sms.example.com"}
    assert _env("webhooks", live)["SMS_PUBLIC_URL"] == _worker_env(live)["SMS_PUBLIC_URL"]
