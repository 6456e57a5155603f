"""Contract-test helpers: check requests and responses against Twilio's official OpenAPI spec.

The spec is not part of the repository: it lives in the shared folder beside it
(`twilio-oai/twilio_api_v2010.json`, found as `tests/shared_files.py` says). Tests that need it
call `require_spec()`, which skips them when it is absent, or fails them in CI.
"""

from __future__ import annotations

import base64
import functools
import json
from pathlib import Path
from urllib.parse import parse_qs, urlencode

from openapi_core import Config, OpenAPI
from openapi_core.exceptions import OpenAPIError
from openapi_core.testing import MockRequest, MockResponse

from tests import shared_files

# What the validators raise on a mismatch (request body, security, response data, ...).
SpecMismatch = OpenAPIError

# The spec's `servers`: requests must be addressed to it for the operation to be found.
TWILIO_BASE_URL = "https://api.twilio.com"
FORM = "application/x-www-form-urlencoded"
_SOME_ACCOUNT_SID = "AC" + "0" * 32
_SOME_AUTH = (_SOME_ACCOUNT_SID, "token")


def spec_path() -> Path | None:
    """Where Twilio's spec is, or None when the shared folder is not found."""
    folder = shared_files.find()
    return None if folder is None else folder / shared_files.TWILIO_SPEC


def require_spec() -> Path:
    """The spec's path; skips the calling test when it is not there (fails it in CI)."""
    return shared_files.require(shared_files.TWILIO_SPEC)


@functools.cache
def _openapi() -> OpenAPI:
    # json, not OpenAPI.from_file_path: its YAML reader rejects the spec's "\ud83d" escapes.
    # The spec is Twilio's own, so validating the spec itself (~2.5 s) buys nothing.
    data = json.loads(require_spec().read_text(encoding="utf-8"))
    return OpenAPI.from_dict(data, config=Config(spec_validator_cls=None))


def _authorization(auth: tuple[str, str] | None) -> dict[str, str]:
    if auth is None:
        return {}
    token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def create_message_request(
    account_sid: str,
    form: dict[str, str],
    auth: tuple[str, str] | None = _SOME_AUTH,
    *,
    body: bytes | None = None,
    content_type: str = FORM,
) -> MockRequest:
    """A CreateMessage request as openapi-core sees it; `body` overrides the encoded `form`."""
    data = urlencode(form).encode() if body is None else body
    path = f"/2010-04-01/Accounts/{account_sid}/Messages.json"
    headers = _authorization(auth)
    return MockRequest(
        TWILIO_BASE_URL, "POST", path, headers=headers, data=data, content_type=content_type
    )


def validate_create_message_request(
    account_sid: str,
    form: dict[str, str],
    auth: tuple[str, str] | None = _SOME_AUTH,
    *,
    body: bytes | None = None,
    content_type: str = FORM,
) -> None:
    """Raise `SpecMismatch` unless this form-encoded POST is a valid CreateMessage request.

    Pass `body` (e.g. `ReceivedRequest.body` from the stand-in) to check the exact bytes a
    client sent instead of re-encoding `form`.
    """
    request = create_message_request(account_sid, form, auth, body=body, content_type=content_type)
    _openapi().validate_request(request)


def validate_message_response(status: int, body: bytes) -> None:
    """Raise `SpecMismatch` unless `body` is a valid CreateMessage response with `status`."""
    try:
        account_sid = str(json.loads(body).get("account_sid") or _SOME_ACCOUNT_SID)
    except (ValueError, AttributeError):
        account_sid = _SOME_ACCOUNT_SID
    # The response is looked up through its request: a valid one for the same account.
    form = {"To": "+15005550006", "From": "+15005550006", "Body": "x"}
    request = create_message_request(account_sid, form)
    response = MockResponse(body, status_code=status, content_type="application/json")
    _openapi().validate_response(request, response)


def validate_account_response(status: int, body: bytes, account_sid: str) -> None:
    """Raise `SpecMismatch` unless `body` is a valid FetchAccount response with `status`."""
    path = f"/2010-04-01/Accounts/{account_sid}.json"
    request = MockRequest(TWILIO_BASE_URL, "GET", path, headers=_authorization(_SOME_AUTH))
    response = MockResponse(body, status_code=status, content_type="application/json")
    _openapi().validate_response(request, response)


def list_messages_request(account_sid: str, query: str) -> MockRequest:
    """A ListMessage request as openapi-core sees it, `query` as sent (already encoded)."""
    path = f"/2010-04-01/Accounts/{account_sid}/Messages.json"
    args = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
    return MockRequest(TWILIO_BASE_URL, "GET", path, headers=_authorization(_SOME_AUTH), args=args)


def validate_list_messages_request(account_sid: str, query: str) -> None:
    """Raise `SpecMismatch` unless this query string makes a valid ListMessage request."""
    _openapi().validate_request(list_messages_request(account_sid, query))


def validate_list_messages_response(status: int, body: bytes, account_sid: str) -> None:
    """Raise `SpecMismatch` unless `body` is a valid ListMessage response with `status`."""
    response = MockResponse(body, status_code=status, content_type="application/json")
    _openapi().validate_response(list_messages_request(account_sid, ""), response)
