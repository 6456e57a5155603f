"""Camunda 7 external task worker that sends SMS through Twilio."""

__version__ = "0.1.0"
