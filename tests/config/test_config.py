"""Configuration: ini strings, Paste's global_conf fall-backs, errors naming the option."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest

from paste_exc.config import (
    GLOBAL_CONF_FALLBACKS,
    NoDefault,
    asbool,
    asint,
    aslist,
    nest_reporters,
    resolve_settings,
)
from paste_exc.errormiddleware import ErrorMiddleware
from paste_exc.errors import ConfigError


def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        *[("true", True), ("Yes", True), (" on ", True), ("1", True), (True, True), (1, True)],
        *[
            ("false", False),
            ("no", False),
            ("OFF", False),
            ("0", False),
            ("", False),
            (None, False),
        ],
    ],
)
def test_asbool(value: object, expected: bool) -> None:
    assert asbool(value, "opt") is expected


@pytest.mark.parametrize("value", ["maybe", "tru", 2.5, []])
def test_asbool_rejects_and_names_the_option(value: object) -> None:
    with pytest.raises(ConfigError, match=r"^smtp_use_tls: ") as info:
        asbool(value, "smtp_use_tls")
    assert info.value.option == "smtp_use_tls"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a@x.org, b@y.org", ["a@x.org", "b@y.org"]),
        ("a@x.org b@y.org", ["a@x.org", "b@y.org"]),
        ("a@x.org,b@y.org\n c@z.org", ["a@x.org", "b@y.org", "c@z.org"]),
        (["a@x.org", "b@y.org, c@z.org"], ["a@x.org", "b@y.org", "c@z.org"]),
        (None, []),
        ("", []),
    ],
)
def test_aslist(value: object, expected: list[str]) -> None:
    assert aslist(value, "error_email") == expected


def test_aslist_rejects_non_strings() -> None:
    with pytest.raises(ConfigError, match="error_email"):
        aslist([1, 2], "error_email")


def test_asint() -> None:
    assert asint(" 42 ", "n") == 42
    with pytest.raises(ConfigError, match="max_page_size"):
        asint("lots", "max_page_size")
    with pytest.raises(ConfigError, match="at least 10"):
        asint("3", "n", minimum=10)


def test_smtp_use_tls_false_string_is_false() -> None:
    # Paste turned "false" into true.
    assert ErrorMiddleware(app, {}, smtp_use_tls="false").settings.smtp_use_tls is False
    assert ErrorMiddleware(app, {}, smtp_use_tls="true").settings.smtp_use_tls is True


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("debug", "sometimes"),
        ("smtp_use_tls", "perhaps"),
        ("show_exceptions_in_wsgi_errors", "yes please"),
        ("debug_allow", "10.0.0.0/33"),
        ("max_page_size", "big"),
        ("show_locals", "2x"),
    ],
)
def test_bad_values_fail_at_construction_naming_the_option(option: str, value: str) -> None:
    with pytest.raises(ConfigError) as info:
        ErrorMiddleware(app, {}, **{option: value})
    assert info.value.option == option
    assert option in str(info.value)


def test_unknown_option_lists_the_valid_ones() -> None:
    with pytest.raises(ConfigError, match="unknown option") as info:
        ErrorMiddleware(app, {}, debgu="true")
    assert info.value.option == "debgu"
    assert "xmlhttp_key" in str(info.value)
    assert "debug_allow" in str(info.value)


@pytest.mark.parametrize(
    ("global_conf", "attribute", "expected"),
    [
        ({"debug": "true"}, "debug", True),
        ({"error_email": "a@x.org"}, "error_email", ("a@x.org",)),
        ({"admin_email": "b@x.org"}, "error_email", ("b@x.org",)),
        ({"webmaster_email": "c@x.org"}, "error_email", ("c@x.org",)),
        ({"sysadmin_email": "d@x.org"}, "error_email", ("d@x.org",)),
        ({"error_email": "", "admin_email": "b@x.org"}, "error_email", ("b@x.org",)),
        ({"error_from_address": "app@x.org"}, "from_address", "app@x.org"),
        ({}, "from_address", "errors@localhost"),
        ({"smtp_server": "mail:2525"}, "smtp_server", "mail:2525"),
        ({}, "smtp_server", "localhost"),
        ({"smtp_username": "u"}, "smtp_username", "u"),
        ({"smtp_password": "p"}, "smtp_password", "p"),
        ({"smtp_use_tls": "on"}, "smtp_use_tls", True),
        ({"error_message": "Oops"}, "error_message", "Oops"),
        ({"xmlhttp_key": "ajax"}, "xmlhttp_key", "ajax"),
        ({}, "xmlhttp_key", "_"),
        ({"show_exceptions_in_wsgi_errors": "true"}, "show_exceptions_in_wsgi_errors", True),
    ],
)
def test_global_conf_fallbacks(
    global_conf: dict[str, str], attribute: str, expected: object
) -> None:
    settings = resolve_settings(global_conf, {})
    assert getattr(settings, attribute) == expected


def test_every_fallback_row_is_tested_above() -> None:
    assert set(GLOBAL_CONF_FALLBACKS) == {
        "debug",
        "error_email",
        "from_address",
        "smtp_server",
        "smtp_username",
        "smtp_password",
        "smtp_use_tls",
        "error_message",
        "xmlhttp_key",
        "show_exceptions_in_wsgi_errors",
    }


def test_explicit_values_win_over_global_conf() -> None:
    settings = resolve_settings(
        {"debug": "true", "admin_email": "a@x.org"},
        {"debug": False, "error_email": "mine@x.org", "xmlhttp_key": None},
    )
    assert settings.debug is False
    assert settings.error_email == ("mine@x.org",)
    assert settings.xmlhttp_key == "_"


def test_nodefault_means_not_given() -> None:
    assert resolve_settings({"debug": "yes"}, {"debug": NoDefault}).debug is True
    assert repr(NoDefault) == "<NoDefault>"


def test_show_locals_follows_debug_unless_given() -> None:
    assert resolve_settings({}, {"debug": True}).show_locals is True
    assert resolve_settings({}, {"debug": True, "show_locals": "false"}).show_locals is False


def test_debug_allow_parses_networks_and_star() -> None:
    settings = resolve_settings({}, {"debug_allow": "10.0.0.0/8, 192.0.2.7 2001:db8::/32"})
    assert settings.debug_allow == (
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("192.0.2.7/32"),
        ipaddress.ip_network("2001:db8::/32"),
    )
    assert resolve_settings({}, {"debug_allow": "*"}).debug_allow_everyone is True


def test_debug_allow_star_warns_at_start_up(caplog: pytest.LogCaptureFixture) -> None:
    ErrorMiddleware(app, {}, debug="true", debug_allow="*")
    assert any("debug_allow = *" in record.getMessage() for record in caplog.records)


def test_nest_reporters() -> None:
    nested = nest_reporters(
        {"reporters.mail.backend": "email", "reporters.mail.to_addresses": "a@x.org"}
    )
    assert nested == {"mail": {"backend": "email", "to_addresses": "a@x.org"}}
    with pytest.raises(ConfigError, match=r"reporters\.x"):
        nest_reporters({"reporters.x": "1"})


def test_flattened_reporters_are_built(tmp_path: Any) -> None:
    log = tmp_path / "reports.jsonl"
    middleware = ErrorMiddleware(
        app,
        {},
        **{
            "reporters.cap.backend": "paste_exc.testing:CapturingReporter",
            "reporters.json.backend": "jsonlines",
            "reporters.json.filename": str(log),
        },
    )
    assert set(middleware.reporting.reporters) == {"cap", "json"}


def test_bad_reporter_backend_fails_at_construction() -> None:
    with pytest.raises(ConfigError, match=r"reporters\.x"):
        ErrorMiddleware(app, {}, **{"reporters.x.backend": "no.such.module:Nothing"})


def test_extras_providers_reference() -> None:
    middleware = ErrorMiddleware(app, {}, extras_providers=f"{__name__}:Provider", reporters={})
    assert isinstance(middleware.reporting.extras_providers[0], Provider)


class Provider:
    def get_extras(self, ctx: object, reporter: object) -> dict[str, object]:
        return {"tags": {"team": "web"}}


def test_trim_source_paths_ini_form() -> None:
    settings = resolve_settings({}, {"trim_source_paths": "/srv/app/=app/ /usr/lib/=lib/"})
    assert settings.trim_source_paths == (("/srv/app/", "app/"), ("/usr/lib/", "lib/"))


def test_error_template_that_cannot_load_fails_at_construction(tmp_path: Any) -> None:
    with pytest.raises(ConfigError):
        ErrorMiddleware(app, {}, error_template=str(tmp_path / "missing.html"))
