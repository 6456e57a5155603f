"""The distribution: `python -m build` makes an sdist and a wheel, and the wheel, installed with
pipx into an environment of its own, runs the commands an installed package supports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from email.parser import Parser
from pathlib import Path

import pytest

from worker import __version__
from worker.dev.twilio_standin import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, TwilioStandIn

pytestmark = [pytest.mark.packaging, pytest.mark.timeout(900)]

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Dist:
    wheel: Path
    sdist: Path


@dataclass(frozen=True)
class Installed:
    bin_dir: Path
    venv_python: Path
    home: Path  # a directory outside the checkout, used as the working directory


def _run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 600):
    return subprocess.run(
        cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Dist:
    """The sdist, and the wheel built from it (which is what `python -m build` does)."""
    out = tmp_path_factory.mktemp("dist")
    done = _run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)], cwd=ROOT)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (wheel,) = out.glob("*.whl")
    (sdist,) = out.glob("*.tar.gz")
    return Dist(wheel, sdist)


def _clean_env(**extra: str) -> dict[str, str]:
    # Nothing may lead the installed commands back to this checkout.
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    return {**env, **extra}


@pytest.fixture(scope="module")
def installed(dist: Dist, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    base = tmp_path_factory.mktemp("pipx")
    env = _clean_env(
        PIPX_HOME=str(base / "home"),
        PIPX_BIN_DIR=str(base / "bin"),
        PIPX_MAN_DIR=str(base / "man"),
    )
    install = [sys.executable, "-m", "pipx", "install", "--python", sys.executable, str(dist.wheel)]
    done = _run(install, cwd=base, env=env, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    venv_python = base / "home" / "venvs" / "twilio-sms-worker" / "bin" / "python"
    return Installed(base / "bin", venv_python, base)


def test_the_wheel_holds_the_worker_package_and_nothing_else(dist: Dist):
    names = zipfile.ZipFile(dist.wheel).namelist()
    tops = {name.split("/")[0] for name in names}
    assert tops == {"worker", f"twilio_sms_worker-{__version__}.dist-info"}
    assert "worker/dev/twilio_standin.py" in names  # `sandbox` needs it
    assert f"twilio_sms_worker-{__version__}.dist-info/licenses/LICENSE" in names


def test_the_sdist_holds_the_source_of_the_wheel(dist: Dist):
    with tarfile.open(dist.sdist) as sdist:
        names = sdist.getnames()
    prefix = f"twilio_sms_worker-{__version__}/"
    tops = {name.removeprefix(prefix).split("/")[0] for name in names if name != prefix[:-1]}
    assert tops == {
        "LICENSE",
        "MANIFEST.in",
        "PKG-INFO",
        "README.md",
        "pyproject.toml",
        "setup.cfg",
        "twilio_sms_worker.egg-info",
        "worker",
    }


def test_the_metadata_names_licence_urls_and_classifiers(dist: Dist):
    with zipfile.ZipFile(dist.wheel) as wheel:
        text = wheel.read(f"twilio_sms_worker-{__version__}.dist-info/METADATA").decode()
    metadata = Parser().parsestr(text)
    assert metadata["Version"] == __version__
    assert metadata["License-Expression"] == "Apache-2.0"
    urls = dict(url.split(", ", 1) for url in metadata.get_all("Project-URL", []))
    assert {"Homepage", "Source", "Issues", "Documentation"} <= set(urls)
    classifiers = metadata.get_all("Classifier", [])
    assert "Programming Language :: Python :: 3.10" in classifiers
    assert any(c.startswith("Development Status ::") for c in classifiers)


def test_the_installed_command_prints_the_version_of_its_metadata(installed: Installed):
    metadata_version = _run(
        [
            str(installed.venv_python),
            "-c",
            "import importlib.metadata as m; print(m.version('twilio-sms-worker'))",
        ],
        cwd=installed.home,
        env=_clean_env(),
    ).stdout.strip()
    done = _run(
        [str(installed.bin_dir / "twilio-sms-worker"), "--version"],
        cwd=installed.home,
        env=_clean_env(),
    )
    assert (done.returncode, done.stdout) == (0, f"twilio-sms-worker {metadata_version}\n")
    assert metadata_version == __version__


def test_the_installed_command_renders_a_template(installed: Installed):
    done = _run(
        [
            str(installed.bin_dir / "twilio-sms-worker"),
            "render",
            "--body",
            "Hi ${name}, ${n}",
            "--metadata",
            '{"name": "Ann", "n": 1234567}',
        ],
        cwd=installed.home,
        env=_clean_env(),
    )
    assert (done.returncode, done.stdout) == (0, "Hi Ann, 1,234,567")


def test_the_installed_command_sends_through_the_stand_in(
    installed: Installed, standin: TwilioStandIn
):
    env = _clean_env(
        TWILIO_API_URL=standin.url,
        TWILIO_ACCOUNT=DEFAULT_ACCOUNT_SID,
        TWILIO_TOKEN=DEFAULT_AUTH_TOKEN,
    )
    send = [str(installed.bin_dir / "twilio-sms-worker"), "send", "--from", "MyShop"]
    done = _run(
        [*send, "--to", "+447700900123", "--body", "Hi ${n}", "--metadata", '{"n": "Ann"}'],
        cwd=installed.home,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert list(json.loads(done.stdout).values()) == ["+447700900123"]
    assert standin.received[0].form == {"From": "MyShop", "To": "+447700900123", "Body": "Hi Ann"}


def test_the_installed_demo_says_it_needs_a_checkout(installed: Installed):
    done = _run(
        [str(installed.bin_dir / "twilio-sms-worker"), "demo"],
        cwd=installed.home,
        env=_clean_env(),
    )
    assert done.returncode == 2
    assert "The demo needs a checkout of the repository" in done.stdout
