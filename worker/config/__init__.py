"""Settings: one frozen object, read from the environment once at start-up and validated.

`slices` holds the parts each component gets, `settings` the whole object and the environment
variable behind each field, `loading` the parsing and checking of the environment.
"""

from worker.config.loading import load_log_settings, load_settings, secret_values
from worker.config.settings import ENVIRONMENT, Settings, webhook_settings
from worker.config.slices import (
    EngineSettings,
    LeaseSettings,
    LogFormat,
    LogLevel,
    OpsSettings,
    ReportSettings,
    Switch,
    TwilioSettings,
    UncaughtErrors,
    WebhookSettings,
)
from worker.errors import ConfigError

__all__ = [
    "ENVIRONMENT",
    "ConfigError",
    "EngineSettings",
    "LeaseSettings",
    "LogFormat",
    "LogLevel",
    "OpsSettings",
    "ReportSettings",
    "Settings",
    "Switch",
    "TwilioSettings",
    "UncaughtErrors",
    "WebhookSettings",
    "load_log_settings",
    "load_settings",
    "secret_values",
    "webhook_settings",
]
