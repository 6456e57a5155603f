import pytest

from worker.config import ENVIRONMENT, ConfigError, Settings, UncaughtErrors, load_settings

ACCOUNT = "AC" + "0" * 32
GOOD = {"TWILIO_ACCOUNT": ACCOUNT, "TWILIO_TOKEN": "tok3n-secret"}


def test_defaults_apply_when_only_credentials_are_set():
    settings = load_settings(GOOD)
    assert settings.camunda_url == "http://localhost:8080/engine-rest"
    assert settings.topic == "SEND_SMS"
    assert settings.twilio_api_url == "https://api.twilio.com"
    assert settings.uncaught_errors is UncaughtErrors.INCIDENT
    assert settings.default_region is None


def test_every_problem_is_reported_at_once_naming_the_variable():
    with pytest.raises(ConfigError) as caught:
        load_settings({"SMS_MAX_CONCURRENCY": "lots", "CAMUNDA_URL": "ftp://x", "SMS_TOPIC": "T"})
    text = str(caught.value)
    for name in ("SMS_MAX_CONCURRENCY", "CAMUNDA_URL", "TWILIO_ACCOUNT", "TWILIO_TOKEN"):
        assert name in text


def test_out_of_range_numbers_are_refused():
    with pytest.raises(ConfigError, match=r"SMS_LOCK_DURATION_MS=10 is out of range"):
        load_settings({**GOOD, "SMS_LOCK_DURATION_MS": "10"})


def test_an_auth_token_pasted_as_account_is_refused_without_echoing_it():
    with pytest.raises(ConfigError) as caught:
        load_settings({"TWILIO_ACCOUNT": "0123456789abcdef0123456789abcdef", "TWILIO_TOKEN": "x"})
    assert "0123456789abcdef" not in str(caught.value)


def test_an_api_key_needs_its_secret():
    with pytest.raises(ConfigError, match="TWILIO_API_SECRET is required"):
        load_settings({"TWILIO_ACCOUNT": ACCOUNT, "TWILIO_API_KEY": "SK" + "1" * 32})


def test_api_key_replaces_the_auth_token_for_basic_auth():
    settings = load_settings(
        {"TWILIO_ACCOUNT": ACCOUNT, "TWILIO_API_KEY": "SK" + "1" * 32, "TWILIO_API_SECRET": "s"}
    )
    assert settings.twilio_auth == ("SK" + "1" * 32, "s")


def test_secrets_are_hidden_from_repr():
    settings = load_settings({**GOOD, "CAMUNDA_USER": "demo", "CAMUNDA_PASSWORD": "pa55word-x"})
    assert "tok3n-secret" not in repr(settings)
    assert "pa55word-x" not in repr(settings)


def test_settings_are_frozen():
    settings = load_settings(GOOD)
    with pytest.raises(AttributeError):
        settings.topic = "OTHER"  # type: ignore[misc]


def test_region_and_choice_settings_are_parsed():
    settings = load_settings(
        {**GOOD, "SMS_DEFAULT_REGION": "ch", "SMS_UNCAUGHT_ERRORS": "bpmn-error"}
    )
    assert settings.default_region == "CH"
    assert settings.uncaught_errors is UncaughtErrors.BPMN_ERROR


def test_unknown_region_is_refused():
    with pytest.raises(ConfigError, match="SMS_DEFAULT_REGION"):
        load_settings({**GOOD, "SMS_DEFAULT_REGION": "XX"})


def test_every_setting_has_an_environment_variable():
    assert set(ENVIRONMENT.values()) == set(Settings.__dataclass_fields__)


def test_reconciliation_is_on_unless_switched_off():
    base = {"TWILIO_ACCOUNT": "AC" + "0" * 32, "TWILIO_TOKEN": "t"}
    assert load_settings(base).reconcile is True
    assert load_settings({**base, "SMS_RECONCILE": "OFF"}).reconcile is False
    assert load_settings({**base, "SMS_RECONCILE": "on"}).reconcile is True
    with pytest.raises(ConfigError, match="SMS_RECONCILE='maybe' must be one of: on, off"):
        load_settings({**base, "SMS_RECONCILE": "maybe"})
