"""Twilio's webhooks into the process: delivery status (`/twilio/status`) and replies
(`/twilio/inbound`), served by the `webhooks` command.

    signature.py   X-Twilio-Signature: Twilio's HMAC-SHA1 over the public URL and the form
    events.py      a webhook's form -> StatusReport / InboundSms (checked, bounded)
    delivery.py    what reaches the engine: SMS_STATUS / SMS_RECEIVED, smsStatus / smsReply
    dedupe.py      I-Twilio-Idempotency-Token: a retried webhook is handled once per process
    app.py         the WSGI application: routing, authentication, answers, metrics, logs
    server.py      waitress, the ops port, and the service's lifecycle

The paths are in `worker.twilio.webhook_urls` (`run` builds the StatusCallback URL from them).
The SMS names (messages, variables) live here; `worker.engine.messages` stays generic.
"""
