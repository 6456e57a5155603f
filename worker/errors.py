"""The error catalogue: the codes the connector contract documents, and the one exception type.

Every failure the worker reports as a BPMN error carries one of these codes; nothing else may
reach a process model. Library exceptions are translated into `ConnectorError` in exactly one
place per edge (`twilio_errors` for Twilio, the template package for FreeMarker).
"""

from __future__ import annotations

from enum import Enum
from typing import Any


class ErrorCode(str, Enum):
    """The documented error codes, in the contract's order, with the contract's description."""

    description: str

    def __new__(cls, value: str, description: str) -> ErrorCode:
        member = str.__new__(cls, value)
        member._value_ = value
        member.description = description
        return member

    MISSING_INPUT = ("MISSING_INPUT", "A mandatory input variable was not provided.")
    INVALID_INPUT = ("INVALID_INPUT", "The input variable has an invalid type.")
    TWILIO_CONNECTION_ERROR = ("TWILIO_CONNECTION_ERROR", "Unable to connect to Twilio service.")
    AUTHENTICATION_CONNECTION_ERROR = (
        "AUTHENTICATION_CONNECTION_ERROR",
        "Unable to authenticate to Twilio.",
    )
    INVALID_TO_PHONE_NUMBER_ERROR = (
        "INVALID_TO_PHONE_NUMBER_ERROR",
        "Invalid 'to' phone number.",
    )
    INVALID_FROM_PHONE_NUMBER_ERROR = (
        "INVALID_FROM_PHONE_NUMBER_ERROR",
        "Invalid 'from' phone number.",
    )
    PERMISSION_DENIED_ERROR = (
        "PERMISSION_DENIED_ERROR",
        "Lack of permission to the resource and method requested.",
    )
    INVALID_REGION_TO_PHONE_NUMBER_ERROR = (
        "INVALID_REGION_TO_PHONE_NUMBER_ERROR",
        "Permission to send an SMS has not been enabled for the region indicated by the 'To' "
        "number.",
    )
    TEMPLATE_READ_ERROR = ("TEMPLATE_READ_ERROR", "Cannot read the Freemarker template.")
    TEMPLATE_METADATA_ERROR = (
        "TEMPLATE_METADATA_ERROR",
        "The template references non-existing metadata.",
    )
    TEMPLATE_SYNTAX_ERROR = ("TEMPLATE_SYNTAX_ERROR", "Invalid Freemarker syntax.")
    UNKNOWN_ERROR = ("UNKNOWN_ERROR", "Unexpected runtime error.")
    BAD_REQUEST = (
        "BAD_REQUEST",
        "The server could not understand the request due to invalid syntax.",
    )
    UNAUTHORIZED = (
        "UNAUTHORIZED",
        "The request has not been applied because it lacks valid authentication.",
    )
    FORBIDDEN = ("FORBIDDEN", "The server understood the request but refuses to authorize it.")
    NOT_FOUND = ("NOT_FOUND", "The server could not find what was requested.")
    METHOD_NOT_ALLOWED = (
        "METHOD_NOT_ALLOWED",
        "The request method is known by the server but is not supported.",
    )
    NOT_ACCEPTABLE = (
        "NOT_ACCEPTABLE",
        "The server cannot produce a response matching the list of acceptable values.",
    )
    REQUEST_TIMEOUT = (
        "REQUEST_TIMEOUT",
        "The server would like to shut down this unused connection.",
    )
    CONFLICT = ("CONFLICT", "The request conflicts with current state of the server.")
    GONE = ("GONE", "No longer available.")
    UNPROCESSABLE_ENTITY = (
        "UNPROCESSABLE_ENTITY",
        "The server was unable to process the contained instructions.",
    )
    LOCKED = ("LOCKED", "The resource that is being accessed is locked.")
    FAILED_DEPENDENCY = (
        "FAILED_DEPENDENCY",
        "The request failed due to failure of a previous request.",
    )
    INTERNAL_SERVER_ERROR = (
        "INTERNAL_SERVER_ERROR",
        "The server has encountered a situation it doesn't know how to handle.",
    )
    NOT_IMPLEMENTED = (
        "NOT_IMPLEMENTED",
        "The request method is not supported by the server and cannot be handled.",
    )
    BAD_GATEWAY = ("BAD_GATEWAY", "The server got an invalid response.")
    SERVICE_UNAVAILABLE = ("SERVICE_UNAVAILABLE", "The server is not ready to handle the request.")
    GATEWAY_TIMEOUT = (
        "GATEWAY_TIMEOUT",
        "The server is acting as a gateway and cannot get a response in time.",
    )


class ConnectorError(Exception):
    """A failure with a documented code.

    `message` is shown to process modellers and operators: it names the variable or the remote
    party and what was wrong, and never contains a credential. `details` is structured extra
    information (Twilio's error code, a template position) that ends up in `smsError`.
    """

    def __init__(self, code: ErrorCode, message: str, **details: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details: dict[str, Any] = details

    def __repr__(self) -> str:
        return f"ConnectorError({self.code.value}, {self.message!r})"

    def to_json(self) -> dict[str, Any]:
        return {"errorCode": self.code.value, "errorMessage": self.message, **self.details}
