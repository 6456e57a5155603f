import pytest

from worker.config import (
    ENVIRONMENT,
    ConfigError,
    Settings,
    UncaughtErrors,
    load_settings,
    secret_values,
    webhook_settings,
)

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


# --- two-way SMS ----------------------------------------------------------------------------


def test_the_public_url_is_a_base_url_without_trailing_slash():
    settings = load_settings({**GOOD, "SMS_PUBLIC_URL": " https://sms.example.com/hooks/ "})
    hooks = webhook_settings(settings)
    assert hooks.public_url == "https://sms.example.com/hooks"
    assert (hooks.host, hooks.port, hooks.threads) == ("0.0.0.0", 8082, 8)
    assert hooks.signing_token == GOOD["TWILIO_TOKEN"]


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("sms.example.com", "must start with http"),
        ("https://sms.example.com/?x=1", "must not have a query"),
        ("https://sms.example.com/#rc=3", "or fragment"),
        ("https://my_host.example.com", "underscore"),
    ],
)
def test_a_public_url_twilio_could_not_call_is_refused(url: str, problem: str):
    with pytest.raises(ConfigError, match=problem):
        load_settings({**GOOD, "SMS_PUBLIC_URL": url})


def test_a_public_url_with_credentials_is_refused_without_echoing_them():
    with pytest.raises(ConfigError) as caught:
        load_settings({**GOOD, "SMS_PUBLIC_URL": "https://user:s3cr3t@sms.example.com"})
    assert "SMS_PUBLIC_URL must not contain credentials" in str(caught.value)
    assert "s3cr3t" not in str(caught.value)


def test_webhooks_need_a_public_url_and_the_accounts_auth_token():
    with pytest.raises(ConfigError, match="SMS_PUBLIC_URL is required"):
        webhook_settings(load_settings(GOOD))
    api_key = {
        "TWILIO_ACCOUNT": ACCOUNT,
        "TWILIO_API_KEY": "SK" + "1" * 32,
        "TWILIO_API_SECRET": "key-secret",
        "SMS_PUBLIC_URL": "https://sms.example.com",
    }
    with pytest.raises(ConfigError, match="TWILIO_WEBHOOK_TOKEN is required"):
        webhook_settings(load_settings(api_key))
    hooks = webhook_settings(load_settings({**api_key, "TWILIO_WEBHOOK_TOKEN": "auth-token"}))
    assert hooks.signing_token == "auth-token"
    assert "auth-token" not in repr(hooks)


def test_the_webhook_token_is_a_secret():
    settings = load_settings({**GOOD, "TWILIO_WEBHOOK_TOKEN": "hook-secret"})
    assert "hook-secret" not in repr(settings)
    assert "hook-secret" in secret_values({**GOOD, "TWILIO_WEBHOOK_TOKEN": "hook-secret"})


def test_credentials_in_camunda_url_become_the_engine_login_and_leave_the_url():
    settings = load_settings({**GOOD, "CAMUNDA_URL": "http://us%40er:p%3Ass@engine:8080/rest/"})
    assert settings.camunda_url == "http://engine:8080/rest"
    assert (settings.camunda_user, settings.camunda_password) == ("us@er", "p:ss")
    assert "p:ss" not in repr(settings)
    assert "p:ss" in settings.secrets


def test_credentials_both_in_camunda_url_and_settings_are_refused_without_echoing_them():
    env = {**GOOD, "CAMUNDA_URL": "http://u:hunter2-pw@e/rest", "CAMUNDA_USER": "v"}
    with pytest.raises(ConfigError, match="give them one way") as caught:
        load_settings(env)
    assert "hunter2-pw" not in str(caught.value)


def test_credentials_in_twilio_url_are_refused_without_echoing_them():
    env = {**GOOD, "TWILIO_API_URL": "https://AC1:hunter2-pw@api.twilio.com"}
    with pytest.raises(ConfigError, match="TWILIO_API_URL must not hold credentials") as caught:
        load_settings(env)
    assert "hunter2-pw" not in str(caught.value)


def test_a_malformed_url_is_refused_without_echoing_it():
    with pytest.raises(ConfigError) as caught:
        load_settings({**GOOD, "CAMUNDA_URL": "ftp://u:hunter2-pw@e"})
    assert "CAMUNDA_URL must start with http:// or https://" in str(caught.value)
    assert "hunter2-pw" not in str(caught.value)


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8081", "http://127.9.9.9", "http://[::1]:8081", "http://localhost:8081"],
)
def test_plain_http_to_twilio_is_accepted_on_loopback(url: str):
    assert load_settings({**GOOD, "TWILIO_API_URL": url}).twilio_api_url == url


@pytest.mark.parametrize(
    "url", ["http://twilio-sandbox:8081", "http://10.0.0.5", "http://localhost.evil.example"]
)
def test_plain_http_to_twilio_elsewhere_is_refused(url: str):
    with pytest.raises(ConfigError, match="TWILIO_ALLOW_INSECURE_HTTP=true"):
        load_settings({**GOOD, "TWILIO_API_URL": url})


def test_plain_http_to_twilio_elsewhere_can_be_allowed_and_is_then_warned_about():
    env = {**GOOD, "TWILIO_API_URL": "http://sandbox:8081", "TWILIO_ALLOW_INSECURE_HTTP": "true"}
    settings = load_settings(env)
    assert settings.twilio_api_url == "http://sandbox:8081"
    assert any("TWILIO_API_URL is plain http://" in w for w in settings.warnings)


def test_plain_http_to_the_engine_is_allowed_and_warned_about_only_with_credentials():
    plain = {**GOOD, "CAMUNDA_URL": "http://camunda:8080/engine-rest"}
    assert load_settings(plain).warnings == []
    with_login = {**plain, "CAMUNDA_USER": "demo", "CAMUNDA_PASSWORD": "demo-pw"}
    assert load_settings(with_login).warnings == [
        "CAMUNDA_URL is plain http:// to camunda: the engine credentials cross the network "
        "unencrypted; use https:// unless that network is trusted"
    ]
    local = {**with_login, "CAMUNDA_URL": "http://localhost:8080/engine-rest"}
    assert load_settings(local).warnings == []


def test_the_insecure_http_switch_takes_only_true_or_false():
    with pytest.raises(ConfigError, match="TWILIO_ALLOW_INSECURE_HTTP='maybe' must be true or"):
        load_settings({**GOOD, "TWILIO_ALLOW_INSECURE_HTTP": "maybe"})


def test_url_passwords_are_among_the_secret_values_for_the_log_filter():
    env = {**GOOD, "CAMUNDA_URL": "http://u:p%40ss-word@e/rest"}
    assert {"tok3n-secret", "p%40ss-word", "p@ss-word"} <= set(secret_values(env))


def test_reconciliation_is_on_unless_switched_off():
    base = {"TWILIO_ACCOUNT": "AC" + "0" * 32, "TWILIO_TOKEN": "t"}
    assert load_settings(base).reconcile is True
    assert load_settings({**base, "SMS_RECONCILE": "OFF"}).reconcile is False
    assert load_settings({**base, "SMS_RECONCILE": "on"}).reconcile is True
    with pytest.raises(ConfigError, match="SMS_RECONCILE='maybe' must be one of: on, off"):
        load_settings({**base, "SMS_RECONCILE": "maybe"})


def test_template_locale_defaults_to_en_us_and_is_written_as_java_does():
    assert load_settings(GOOD).template_locale == "en_US"
    assert load_settings({**GOOD, "SMS_TEMPLATE_LOCALE": "de-CH"}).template_locale == "de_CH"


def test_unknown_template_locale_is_refused_naming_the_variable():
    with pytest.raises(ConfigError, match="SMS_TEMPLATE_LOCALE='xx_QQ': Unknown locale"):
        load_settings({**GOOD, "SMS_TEMPLATE_LOCALE": "xx_QQ"})


def test_template_time_zone_defaults_to_utc_and_takes_iana_names():
    assert load_settings(GOOD).template_time_zone == "UTC"
    zone = load_settings({**GOOD, "SMS_TEMPLATE_TIME_ZONE": "Europe/Berlin"}).template_time_zone
    assert zone == "Europe/Berlin"


def test_unknown_template_time_zone_is_refused_naming_the_variable():
    with pytest.raises(ConfigError, match="SMS_TEMPLATE_TIME_ZONE='Mars/Base'"):
        load_settings({**GOOD, "SMS_TEMPLATE_TIME_ZONE": "Mars/Base"})
