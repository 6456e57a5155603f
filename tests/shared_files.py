"""The shared folder: the connector contract and Twilio's OpenAPI spec, which live beside the
repository, not in it.

Where it is, the first that applies:
1. `$SMS_SHARED_DIR`, when set (then nowhere else: a wrong setting is an error, not a hint);
2. `shared/` beside this checkout;
3. `shared/` beside the repository this checkout was cloned from, when its origin is a local
   path (a clean clone of /work/main, made anywhere, finds /work/shared).
The first of 2 and 3 holding both files wins.

Tests call `require()`: it skips a test when the folder is not found, but fails it in CI
(`CI` set) or when `SMS_SHARED_DIR` is set, so contract tests never skip silently there.
`python3 tests/shared_files.py` prints the folder, or says where it looked and exits 1:
`.ci/run` uses it to stop before installing anything. Standard library only, for that reason.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

ENV_VAR = "SMS_SHARED_DIR"
CONTRACT = Path("seed/twilio-connector.txt")
TWILIO_SPEC = Path("twilio-oai/twilio_api_v2010.json")
REPO = Path(__file__).resolve().parents[1]


def _origin_checkout(repo: Path) -> Path | None:
    """The local repository `repo` was cloned from, if its origin is a path on this machine."""
    try:
        done = subprocess.run(
            ["git", "-C", str(repo), "config", "--get", "remote.origin.url"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    url = done.stdout.strip()
    if url.startswith("file://"):
        url = url.removeprefix("file://")
    elif ":" in url.split("/", 1)[0]:
        return None  # host:path or scheme://host: not on this machine
    if not url:
        return None
    origin = (repo / url).resolve()  # a relative origin is relative to the checkout
    return origin.parent if origin.name == ".git" else origin


def places(repo: Path = REPO, environ: Mapping[str, str] = os.environ) -> list[Path]:
    """Where the shared folder is looked for, in order."""
    if environ.get(ENV_VAR):
        return [Path(environ[ENV_VAR])]
    found = [repo.parent / "shared"]
    origin = _origin_checkout(repo)
    if origin is not None and origin.parent / "shared" not in found:
        found.append(origin.parent / "shared")
    return found


def find(repo: Path = REPO, environ: Mapping[str, str] = os.environ) -> Path | None:
    """The shared folder holding both files, or None."""
    for place in places(repo, environ):
        if (place / CONTRACT).is_file() and (place / TWILIO_SPEC).is_file():
            return place.resolve()
    return None


def must_exist(environ: Mapping[str, str] = os.environ) -> bool:
    """In CI, or once `.ci/run` (or anyone) named the folder, a missing file is a failure."""
    ci = environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}
    return ci or bool(environ.get(ENV_VAR))


def missing_message(repo: Path = REPO, environ: Mapping[str, str] = os.environ) -> str:
    looked = ", ".join(str(place) for place in places(repo, environ))
    return (
        f"the shared folder ({CONTRACT} and {TWILIO_SPEC}) was not found; looked in: {looked}. "
        f"Set {ENV_VAR} to the folder that holds them."
    )


def require(relative: Path) -> Path:
    """`relative` inside the shared folder; skips the calling test when the folder cannot be
    found, or fails it when it must exist (see `must_exist`)."""
    # Imported here: .ci/run runs this module before anything (pytest included) is installed.
    import pytest  # noqa: PLC0415

    folder = find()
    if folder is None:
        if must_exist():
            pytest.fail(missing_message(), pytrace=False)
        pytest.skip(missing_message())
    return folder / relative


def main() -> int:
    folder = find()
    if folder is None:
        print(f"error: {missing_message()}", file=sys.stderr)
        return 1
    print(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
