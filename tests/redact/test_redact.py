"""Tests of the redaction engine: secret names, value patterns, configuration."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

import pytest
from hypothesis import given, strategies as st

from paste_exc.errors import ConfigError
from paste_exc.redact import (
    DEFAULT_SECRET_NAMES,
    DEFAULT_VALUE_PATTERNS,
    REDACTED,
    Redactor,
    ValuePattern,
    default_redactor,
    luhn_valid,
    normalise_name,
)

SECRET_NAMES = [
    *DEFAULT_SECRET_NAMES,
    "PASSWORD",
    "db_password",
    "password2",
    "user_passwd",
    "smtp_pass",
    "client_secret",
    "clientSecret",
    "SECRET_KEY",
    "X-Api-Token",
    "x-api-key",
    "apiKey",
    "APIKey",
    "API_KEY",
    "access_token",
    "refreshToken",
    "auth",
    "auth_header",
    "HTTP_AUTHORIZATION",
    "Proxy-Authorization",
    "HTTP_COOKIE",
    "Set-Cookie",
    "session",
    "sessionid",
    "PHPSESSID",
    "beaker.session",
    "csrf_token",
    "HTTP_X_CSRFTOKEN",
    "csrfmiddlewaretoken",
    "signature",
    "request_signature",
    "private_key",
    "privateKey",
    "ssh-private-key",
    "credit_card",
    "creditCardNumber",
    "card_number",
    "cvv",
    "aws_secret_access_key",
    "smtp_password",
    "credentials",
]

INNOCENT_NAMES = [
    "keyboard",
    "author",
    "authors",
    "author_id",
    "authority",
    "authorities",
    "tokenizer_name",
    "tokenize",
    "monkey",
    "donkey",
    "key",
    "keys",
    "sort_key",
    "cache_key",
    "primary_key",
    "passage",
    "passenger",
    "compass",
    "bypass_cache",
    "secretary",
    "sessionize",
    "signal",
    "design",
    "assignment",
    "cookbook",
    "username",
    "user",
    "email",
    "path",
    "PATH_INFO",
    "REQUEST_METHOD",
    "HTTP_HOST",
    "HTTP_USER_AGENT",
    "QUERY_STRING",
    "oauth_provider",
    "cardinal",
    "discard",
    "request",
    "environ",
    "self",
    "x",
]


@pytest.mark.parametrize("name", SECRET_NAMES)
def test_secret_name_is_caught(name: str) -> None:
    assert default_redactor.is_secret_name(name)


@pytest.mark.parametrize("name", INNOCENT_NAMES)
def test_innocent_name_passes(name: str) -> None:
    assert not default_redactor.is_secret_name(name)


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("X-Api-Token", "x_api_token"),
        ("clientSecret", "client_secret"),
        ("APIKey", "api_key"),
        ("HTTP_COOKIE", "http_cookie"),
        ("beaker.session.id", "beaker_session_id"),
    ],
)
def test_normalise_name_splits_words(name: str, words: str) -> None:
    assert normalise_name(name) == words


VALUE_SAMPLES = {
    "pem_private_key": (
        "key=-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4"
        "\n-----END RSA PRIVATE KEY-----",
        "MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4",
    ),
    "bearer": ("Authorization: Bearer abcdef0123456789.xyz", "abcdef0123456789.xyz"),
    "jwt": (
        "got eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
        "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U in the header",
        "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    ),
    "aws_access_key_id": ("aws key AKIAIOSFODNN7EXAMPLE used", "AKIAIOSFODNN7EXAMPLE"),
    "known_token": ("token ghp_" + "a1B2" * 9 + " here", "a1B2a1B2a1B2"),
    "url_password": ("connect postgres://bob:hunter2@db.example/app failed", "hunter2"),
    "assignment": ("login with password=hunter2&user=bob", "hunter2"),
    "card_number": ("paid with 4111 1111 1111 1111 today", "4111 1111 1111 1111"),
}


def test_every_value_pattern_has_a_sample() -> None:
    assert {pattern.name for pattern in DEFAULT_VALUE_PATTERNS} == set(VALUE_SAMPLES)


@pytest.mark.parametrize("pattern_name", sorted(VALUE_SAMPLES))
def test_value_pattern_is_caught(pattern_name: str) -> None:
    text, secret = VALUE_SAMPLES[pattern_name]
    redacted = default_redactor.redact_text(text)
    assert secret not in redacted
    assert REDACTED in redacted


@pytest.mark.parametrize("pattern_name", sorted(VALUE_SAMPLES))
def test_value_pattern_alone_catches_its_sample(pattern_name: str) -> None:
    others = [name for name in VALUE_SAMPLES if name != pattern_name]
    redactor = Redactor(remove_value_patterns=others)
    text, secret = VALUE_SAMPLES[pattern_name]
    assert secret not in redactor.redact_text(text)


def test_url_password_keeps_user_and_host() -> None:
    text = default_redactor.redact_text("redis://admin:s3cret@cache:6379/0")
    assert text == "redis://admin:[REDACTED]@cache:6379/0"


def test_bearer_keeps_the_scheme_word() -> None:
    assert default_redactor.redact_text("Bearer abcdefghijklmnop") == "Bearer [REDACTED]"


def test_assignment_in_a_dict_repr() -> None:
    text = default_redactor.redact_text("{'password': 'hunter2', 'user': 'bob'}")
    assert text == "{'password': '[REDACTED]', 'user': 'bob'}"


@pytest.mark.parametrize(
    "text",
    [
        "order 1234567890123 shipped",  # 13 digits, fails Luhn
        "timestamp 1700000000.123456",
        "user bob logged in from 10.0.0.1",
        "the token expired",
        "Basic usage",
        "http://example.com:8080/path",
        "author=Ian Bicking",
        "keyboard=qwerty",
    ],
)
def test_innocent_text_is_unchanged(text: str) -> None:
    assert default_redactor.redact_text(text) == text


def test_luhn() -> None:
    assert luhn_valid("4111111111111111")
    assert not luhn_valid("4111111111111112")
    assert not luhn_valid("1234")


def test_redact_item_by_name() -> None:
    assert default_redactor.redact_item("password", "'hunter2'") == (REDACTED, True)


def test_redact_item_by_value() -> None:
    text, redacted = default_redactor.redact_item("dsn", "'mysql://u:pw@h/db'")
    assert redacted
    assert "pw@" not in text


def test_redact_item_innocent() -> None:
    assert default_redactor.redact_item("author", "'Ian'") == ("'Ian'", False)


def test_redact_mapping_uses_reprs_and_names() -> None:
    environ = {
        "HTTP_COOKIE": "sessionid=abc",
        "HTTP_HOST": "example.com",
        "wsgi.version": (1, 0),
        "QUERY_STRING": "q=1&token=abcdef",
    }
    result = default_redactor.redact_mapping(environ)
    assert result == {
        "HTTP_COOKIE": REDACTED,
        "HTTP_HOST": "'example.com'",
        "wsgi.version": "(1, 0)",
        "QUERY_STRING": "'q=1&token=[REDACTED]'",
    }


def test_redact_mapping_does_not_repr_secret_named_values() -> None:
    calls: list[str] = []

    class Tracked:
        def __repr__(self) -> str:
            calls.append("repr")
            return "tracked"

    result = default_redactor.redact_mapping({"password": Tracked(), "user": Tracked()})
    assert result == {"password": REDACTED, "user": "tracked"}
    assert calls == ["repr"]


def test_redact_mapping_with_str_values() -> None:
    assert default_redactor.redact_mapping({"a": "b"}, use_repr=False) == {"a": "b"}


def test_redact_mapping_is_bounded() -> None:
    result = default_redactor.redact_mapping({str(i): i for i in range(50)}, max_items=10)
    assert len(result) == 11
    assert result["…"] == "[40 more items]"


class HostileMapping(Mapping[str, object]):
    def __getitem__(self, key: str) -> object:
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        yield "ok"
        raise RuntimeError("iteration broke")

    def __len__(self) -> int:
        return 2


def test_redact_mapping_survives_hostile_mapping() -> None:
    result = default_redactor.redact_mapping(HostileMapping())
    assert "mapping could not be read" in result["…"]


def test_extra_names_are_added() -> None:
    redactor = Redactor(extra_names=["ssn", "License-Key"])
    assert redactor.is_secret_name("user_ssn")
    assert redactor.is_secret_name("licenseKey")
    assert not default_redactor.is_secret_name("user_ssn")


def test_extra_names_from_an_ini_string() -> None:
    redactor = Redactor(extra_names="ssn, pin_code")
    assert redactor.is_secret_name("PIN_CODE")


def test_remove_names() -> None:
    redactor = Redactor(remove_names=["session"])
    assert not redactor.is_secret_name("session")
    assert redactor.is_secret_name("password")


def test_remove_unknown_name_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="remove_names"):
        Redactor(remove_names=["keyboard"])


def test_extra_value_pattern_forms() -> None:
    redactor = Redactor(
        extra_value_patterns=[
            r"EMP-\d{6}",
            ("order", re.compile(r"ORD-(?P<secret>\d+)")),
            ValuePattern("pin", re.compile(r"PIN \d{4}")),
        ]
    )
    assert redactor.redact_text("EMP-123456 ORD-99 PIN 1234") == (
        "[REDACTED] ORD-[REDACTED] [REDACTED]"
    )


def test_invalid_regex_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="extra_value_patterns"):
        Redactor(extra_value_patterns=["(unclosed"])


def test_remove_unknown_value_pattern_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="remove_value_patterns"):
        Redactor(remove_value_patterns=["nope"])


def test_bad_pattern_type_is_a_config_error() -> None:
    with pytest.raises(ConfigError):
        Redactor(extra_value_patterns=[42])  # type: ignore[list-item]


def test_non_string_names_are_converted() -> None:
    assert not default_redactor.is_secret_name(42)
    assert default_redactor.is_secret_name(b"password")


@given(st.text(max_size=2000))
def test_redact_text_never_raises_and_is_idempotent(text: str) -> None:
    once = default_redactor.redact_text(text)
    assert isinstance(once, str)
    assert default_redactor.redact_text(once) == once


@given(
    prefix=st.text(max_size=200),
    suffix=st.text(max_size=200),
    secret=st.from_regex(r"[A-Za-z0-9]{12,30}", fullmatch=True),
)
def test_planted_secrets_are_removed(prefix: str, suffix: str, secret: str) -> None:
    for template in ("Bearer {}", "https://u:{}@host/", "api_key={}"):
        text = f"{prefix} {template.format(secret)} {suffix}"
        assert secret not in default_redactor.redact_text(text).replace(prefix, "").replace(
            suffix, ""
        )


@given(st.text(max_size=100))
def test_is_secret_name_never_raises(name: str) -> None:
    assert isinstance(default_redactor.is_secret_name(name), bool)
    # The answer cached by the shared redactor is the one a fresh redactor computes.
    assert default_redactor.is_secret_name(name) == Redactor().is_secret_name(name)


# --- secrets inside the repr of containers and objects --------------------------------


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("{'HTTP_COOKIE': 'session=abc123; theme=dark', 'HTTP_HOST': 'example.com'}", "abc123"),
        ("{'password': \"it's-secret\"}", "it's-secret"),
        ("{'outer': {'api_key': 'k-998877'}}", "k-998877"),
        ("Connection(host='db', password='hunter2', user='bob')", "hunter2"),
        ("{'HTTP_AUTHORIZATION': 'Basic dXNlcjpwYXNz… [300 more characters]", "dXNlcjpwYXNz"),
    ],
)
def test_secret_named_values_inside_reprs_are_redacted(text: str, secret: str) -> None:
    result = default_redactor.redact_text(text)
    assert secret not in result
    assert REDACTED in result


def test_innocent_named_values_inside_reprs_stay() -> None:
    text = "{'HTTP_HOST': 'example.com', 'keyboard': 'qwerty'} Book(author='Le Guin')"
    assert default_redactor.redact_text(text) == text


def test_a_collected_environ_local_shows_no_cookie() -> None:
    import sys

    from paste_exc.collector import collect_exception

    def view(environ: dict[str, str]) -> None:
        raise RuntimeError("boom")

    try:
        view({"HTTP_COOKIE": "sessionid=s3cr3tvalue", "PATH_INFO": "/x"})
    except RuntimeError:
        data = collect_exception(*sys.exc_info(), collect_locals=True)
    shown = [v.value for f in data.frames for v in (f.locals or ())]
    assert any("PATH_INFO" in v for v in shown)
    assert not any("s3cr3tvalue" in v for v in shown)


def test_clean_texts_are_remembered_and_secrets_never_are() -> None:
    redactor = Redactor()
    assert redactor.redact_text("'GET'") == "'GET'"
    assert redactor.redact_text("'GET'") == "'GET'"
    secret = "Authorization: Bearer abcdefghijklmnop"
    for _ in range(2):
        assert redactor.redact_text(secret) == "Authorization: Bearer [REDACTED]"
    assert "'GET'" in redactor._clean_texts
    assert secret not in redactor._clean_texts


def test_clean_text_memory_is_bounded_and_skips_str_subclasses() -> None:
    class Unhashable(str):
        def __hash__(self) -> int:
            raise RuntimeError("no hash")

    redactor = Redactor()
    assert redactor.redact_text(Unhashable("plain")) == "plain"
    for number in range(5000):
        redactor.redact_text(f"value {number}")
    assert 0 < len(redactor._clean_texts) <= 4096
    assert redactor.redact_text("x" * 1100) == "x" * 1100
    assert "x" * 1100 not in redactor._clean_texts
