"""Configuration of reporters: every option typed through config, bad values named at build."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest

from paste_exc.config import MIDDLEWARE_OPTIONS, OUR_OPTIONS, PASTE_OPTIONS, resolve_settings
from paste_exc.errormiddleware import ErrorMiddleware
from paste_exc.errors import ConfigError
from paste_exc.formatter import HTMLFormatter, TextFormatter
from paste_exc.report.building import build_reporters
from paste_exc.report.delivery import Dispatcher
from paste_exc.report.flood import FloodControl
from paste_exc.report.sdk.raygun import RaygunReporter
from paste_exc.report.sdk.sentry import SentryReporter
from paste_exc.reporter import (
    EmailReporter,
    FileReporter,
    JSONLinesReporter,
    LoggingReporter,
    LogReporter,
)

EMAIL = {"to_addresses": "ops@example.org", "from_address": "app@example.org"}


def _log(tmp_path: Path, **options: object) -> LogReporter:
    return LogReporter(filename=str(tmp_path / "errors.log"), **options)


# -- values main accepted silently -------------------------------------------


@pytest.mark.parametrize("value", ["inf", "Infinity", float("inf"), "1e400"])
def test_an_unbounded_smtp_timeout_is_refused(value: object) -> None:
    with pytest.raises(ConfigError, match=r"^smtp_timeout: "):
        EmailReporter(**EMAIL, smtp_timeout=value)


@pytest.mark.parametrize("option", ["delivery_timeout", "flood_window"])
@pytest.mark.parametrize("value", ["inf", float("inf"), "nan"])
def test_infinite_durations_are_refused(tmp_path: Path, option: str, value: object) -> None:
    with pytest.raises(ConfigError, match=rf"^{option}: "):
        _log(tmp_path, **{option: value})


def test_flood_control_refuses_an_infinite_window() -> None:
    with pytest.raises(ConfigError, match=r"^flood_window: "):
        FloodControl(float("inf"))


def test_a_misspelt_flood_store_fails_even_while_flood_control_is_off(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^flood_store: unknown store 'rdis://h/0'"):
        _log(tmp_path, flood_store="rdis://h/0")


def test_an_empty_sqlite_flood_store_fails_at_build(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^flood_store: sqlite: needs a file name"):
        _log(tmp_path, flood_store="sqlite://")


@pytest.mark.parametrize("option", ["smtp_username", "smtp_password"])
def test_smtp_credentials_must_be_strings(option: str) -> None:
    credentials: dict[str, object] = {"smtp_username": "u", "smtp_password": "p", option: 1234}
    with pytest.raises(ConfigError, match=rf"^{option}: expected a string"):
        EmailReporter(**EMAIL, **credentials)


@pytest.mark.parametrize("value", ["25.5", "1e3", 25.0, "0x19", True])
def test_a_port_is_a_whole_number(value: object) -> None:
    with pytest.raises(ConfigError, match=r"^smtp_port: not a port number"):
        EmailReporter(**EMAIL, smtp_port=value)


@pytest.mark.parametrize("value", ["25.9", 25.9, "many"])
def test_subject_max_length_is_a_whole_number(value: object) -> None:
    with pytest.raises(ConfigError, match=r"^subject_max_length: "):
        EmailReporter(**EMAIL, subject_max_length=value)


@pytest.mark.parametrize("value", [-5, "-5", "loud", 3.5, True])
def test_a_logging_level_must_be_a_level(value: object) -> None:
    with pytest.raises(ConfigError, match=r"^level: not a logging level"):
        LoggingReporter(level=value)


def test_a_file_name_with_a_nul_is_refused_at_build() -> None:
    with pytest.raises(ConfigError, match=r"^filename: the file name holds a NUL"):
        LogReporter(filename="errors\x00.log")


@pytest.mark.parametrize("value", ["1.5", -0.1, "nan", 2])
def test_sentry_sample_rates_lie_between_0_and_1(value: object) -> None:
    with pytest.raises(ConfigError, match=r"^traces_sample_rate: "):
        SentryReporter(dsn="http://public@127.0.0.1:9/1", traces_sample_rate=value)


@pytest.mark.parametrize("value", ["inf", "0", "-1", "soon"])
def test_raygun_http_timeout_is_finite_and_positive(value: str) -> None:
    with pytest.raises(ConfigError, match=r"^http_timeout: "):
        RaygunReporter("key", http_timeout=value)


def test_an_ini_value_is_named_with_its_reporters_key() -> None:
    settings = resolve_settings(
        {},
        {
            "reporters.mail.backend": "email",
            "reporters.mail.to_addresses": "ops@example.org",
            "reporters.mail.from_address": "app@example.org",
            "reporters.mail.smtp_timeout": "inf",
        },
    )
    with pytest.raises(ConfigError, match=r"^reporters\.mail\.smtp_timeout: "):
        build_reporters(settings.reporters)


# -- ini strings become the attributes' types ----------------------------------


def test_email_options_from_ini_strings_are_typed(tmp_path: Path) -> None:
    ca_file = tmp_path / "ca.pem"
    ca_file.write_text("-----BEGIN CERTIFICATE-----\n")
    reporter = EmailReporter(
        to_addresses="a@example.org, b@example.org",
        from_address="app@example.org",
        smtp_port="2525",
        smtp_timeout="1.5",
        smtp_use_tls="yes",
        smtp_verify="off",
        smtp_ca_file=str(ca_file),
        subject_max_length="80",
        flood_window="10m",
        queue_size="7",
        size_budget="none",
    )
    assert reporter.to_addresses == ["a@example.org", "b@example.org"]
    assert (reporter.smtp_port, reporter.smtp_timeout) == (2525, 1.5)
    assert (reporter.smtp_use_tls, reporter.smtp_verify) == (True, False)
    assert reporter.smtp_ca_file == str(ca_file)
    assert reporter.subject_max_length == 80
    assert reporter.flood_window == 600.0
    assert reporter.queue_size == 7
    assert reporter.size_budget is None


@pytest.mark.parametrize(
    ("value", "seconds"), [("30", 30.0), ("30s", 30.0), ("500ms", 0.5), ("2h", 7200.0), (5, 5.0)]
)
def test_durations_take_a_unit(tmp_path: Path, value: object, seconds: float) -> None:
    assert _log(tmp_path, delivery_timeout=value).deadline() == seconds


def test_a_path_like_file_name_becomes_a_string(tmp_path: Path) -> None:
    assert LogReporter(filename=tmp_path / "e.log").filename == str(tmp_path / "e.log")
    assert JSONLinesReporter(filename=tmp_path / "e.jsonl").filename == str(tmp_path / "e.jsonl")


def test_logging_options_are_typed() -> None:
    reporter = LoggingReporter(level="warning", show_hidden_frames="true")
    assert (reporter.level, reporter.show_hidden_frames) == (logging.WARNING, True)


def test_a_paste_style_subclass_default_is_coerced_too() -> None:
    class Quiet(FileReporter):
        show_hidden_frames = "false"  # type: ignore[assignment]  # as a Paste user writes it

    assert Quiet(file=io.StringIO()).show_hidden_frames is False


def test_a_paste_style_subclass_keeps_its_own_options() -> None:
    class Tagged(FileReporter):
        tag = "web"

    assert Tagged(file=io.StringIO(), tag="worker").tag == "worker"
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        Tagged(file=io.StringIO(), colour="red")


@pytest.mark.parametrize(
    ("cls", "options", "option"),
    [
        (EmailReporter, {"from_address": "app@example.org"}, "to_addresses"),
        (EmailReporter, {"to_addresses": "ops@example.org"}, "from_address"),
        (LogReporter, {}, "filename"),
        (FileReporter, {}, "file"),
    ],
)
def test_a_missing_required_option_is_named(
    cls: type[EmailReporter | LogReporter | FileReporter],
    options: dict[str, object],
    option: str,
) -> None:
    with pytest.raises(ConfigError, match=rf"^{option}: give "):
        cls(**options)


# -- the middleware's table ---------------------------------------------------------


def test_every_middleware_option_has_a_converter_or_a_rule() -> None:
    resolved_after_the_table = {"smtp_use_tls", "show_locals", "debug_allow", "reporters"}
    assert set(MIDDLEWARE_OPTIONS) | resolved_after_the_table == {*PASTE_OPTIONS, *OUR_OPTIONS}
    assert not set(MIDDLEWARE_OPTIONS) & resolved_after_the_table


@pytest.mark.parametrize("value", [5, 2.5, object()])
def test_trim_source_paths_of_the_wrong_type_is_named(value: object) -> None:
    with pytest.raises(ConfigError, match=r"^trim_source_paths: "):
        resolve_settings({}, {"trim_source_paths": value})


def test_an_option_not_given_takes_the_settings_default() -> None:
    settings = resolve_settings({}, {"max_page_size": None, "locals_time_budget": None})
    assert (settings.max_page_size, settings.locals_time_budget) == (1_000_000, 1.0)


# -- server addresses ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("server", "port", "expected"),
    [
        ("mail.example.org", None, ("mail.example.org", None)),
        ("mail.example.org:2525", None, ("mail.example.org", 2525)),
        ("[::1]:2525", None, ("::1", 2525)),
        ("mail.example.org:2525", "25", ("mail.example.org", 25)),  # smtp_port wins
    ],
)
def test_smtp_server_may_name_its_port(
    server: str, port: str | None, expected: tuple[str, int | None]
) -> None:
    reporter = EmailReporter(**EMAIL, smtp_server=server, smtp_port=port)
    assert (reporter._host, reporter._port) == expected
    assert reporter.smtp_server == server


@pytest.mark.parametrize(
    ("server", "message"),
    [
        ("mail:99999", "bad port"),
        ("mail:smtp", "bad port"),
        ("[::1", "unclosed"),
        ("[::1]x", "unexpected"),
        (":25", "no host"),
        ("  ", "expected a host name"),
        (25, "expected a host name"),
    ],
)
def test_a_bad_smtp_server_is_named(server: object, message: str) -> None:
    with pytest.raises(ConfigError, match=rf"^smtp_server: {message}"):
        EmailReporter(**EMAIL, smtp_server=server)


# -- trim_source_paths: one parser for the middleware and the formatters -------------


def test_the_middleware_and_the_formatter_read_trim_source_paths_alike() -> None:
    ini = resolve_settings({}, {"trim_source_paths": "/srv/app/=app/, /usr/lib/="})
    pairs = (("/srv/app/", "app/"), ("/usr/lib/", ""))
    assert ini.trim_source_paths == pairs
    assert TextFormatter(trim_source_paths=list(pairs)).trim_source_paths == pairs
    assert TextFormatter(trim_source_paths=dict(pairs)).trim_source_paths == pairs


@pytest.mark.parametrize("value", ["/srv/app/", {1: "x"}, [("/srv", 1)], [("/srv",)]])
def test_a_trim_entry_that_is_not_a_pair_is_named(value: object) -> None:
    with pytest.raises(ConfigError, match=r"^trim_source_paths: each entry must be a"):
        resolve_settings({}, {"trim_source_paths": value})


# -- the dispatcher's own settings ----------------------------------------------------


@pytest.mark.parametrize(
    ("options", "option"),
    [
        ({"job_timeout": float("inf")}, "job_timeout"),
        ({"job_timeout": 0}, "job_timeout"),
        ({"flush_timeout": -1}, "flush_timeout"),
        ({"flush_timeout": float("nan")}, "flush_timeout"),
        ({"maxsize": 0}, "maxsize"),
        ({"maxsize": 2.5}, "maxsize"),
    ],
)
def test_a_dispatcher_refuses_unbounded_or_bad_settings(
    options: dict[str, object], option: str
) -> None:
    with pytest.raises(ConfigError, match=rf"^{option}: "):
        Dispatcher(**options)  # type: ignore[arg-type]


def test_an_html_formatter_flag_given_as_a_string_is_refused() -> None:
    # bool("false") is True: the hidden frames would have been shown.
    with pytest.raises(ConfigError, match=r"^include_hidden_frames: expected a boolean"):
        HTMLFormatter(include_hidden_frames="false")  # type: ignore[arg-type]


@pytest.mark.parametrize("formatter", [TextFormatter, HTMLFormatter])
@pytest.mark.parametrize("value", [0, -1, True, "1000"])
def test_formatters_share_the_size_budget_check(
    formatter: type[TextFormatter | HTMLFormatter], value: object
) -> None:
    with pytest.raises(ConfigError, match=r"^size_budget: expected a positive integer"):
        formatter(size_budget=value)  # type: ignore[arg-type]


# -- Paste's options name themselves ---------------------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"error_email": "not-an-address"}, r"^error_email: not a mail address"),
        ({"error_log": "errors\x00.log"}, r"^error_log: the file name holds a NUL"),
        ({"error_email": "ops@example.org", "smtp_server": "mail:0"}, r"^smtp_server: bad port"),
    ],
)
def test_a_bad_paste_option_is_named_as_written(options: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        ErrorMiddleware(_app, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["inf", "nan", "-inf"])
def test_an_infinite_duration_is_named_as_not_finite(tmp_path: Path, value: str) -> None:
    with pytest.raises(ConfigError, match=r"^flood_window: expected a finite number"):
        _log(tmp_path, flood_window=value)


def _app(environ: object, start_response: object) -> list[bytes]:
    return [b""]


# -- hostile and huge values still give a short error naming the option ----------------


class _HostileRepr:
    def __repr__(self) -> str:
        raise RuntimeError("no repr for you")


@pytest.mark.parametrize("option", ["flood_window", "delivery_timeout", "queue_size"])
def test_a_value_whose_repr_raises_still_gives_a_config_error(tmp_path: Path, option: str) -> None:
    with pytest.raises(ConfigError, match=rf"^{option}: "):
        _log(tmp_path, **{option: _HostileRepr()})


@pytest.mark.parametrize("value", ["9" * 100_000, "x" * 100_000, "1__0"])
def test_a_huge_or_odd_duration_gives_a_short_error(tmp_path: Path, value: str) -> None:
    with pytest.raises(ConfigError, match=r"^delivery_timeout: ") as info:
        _log(tmp_path, delivery_timeout=value)
    assert len(str(info.value)) < 400
