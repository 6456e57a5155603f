"""The paths of the webhooks Twilio calls, shared by the service that answers them (`webhooks`)
and the worker that gives Twilio the status callback URL with each message (`run`)."""

from __future__ import annotations

from urllib.parse import urlencode

STATUS_PATH = "/twilio/status"
INBOUND_PATH = "/twilio/inbound"
# The query parameter of the status callback URL naming the process instance to tell.
INSTANCE_PARAMETER = "processInstanceId"


def status_callback_url(public_url: str, process_instance_id: str) -> str:
    """Where Twilio reports the delivery status of a message sent for this instance."""
    return f"{public_url}{STATUS_PATH}?{urlencode({INSTANCE_PARAMETER: process_instance_id})}"
