"""paste_exc.report.dispatch: report_exception, configuration, isolated delivery."""

from __future__ import annotations

import logging
import sys
import textwrap
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from paste_exc.api import ExceptionReporter, ExtrasProvider
from paste_exc.errors import ConfigError
from paste_exc.process import configure_reporters
from paste_exc.report.building import build_extras_providers, build_reporters
from paste_exc.report.dispatch import (
    ENVIRON_KEY,
    ReportingConfig,
    deliver,
    get_process_config,
    set_process_config,
)
from paste_exc.report.registry import resolve_backend, resolve_reference
from paste_exc.respond.reporting import report_exception


class Recorder(ExceptionReporter):
    """Remembers every call; options are kept to check merging."""

    def __init__(self, **options: Any) -> None:
        self.options = options
        self.calls: list[tuple[object, BaseException, str, dict[str, Any]]] = []

    def report_exception(
        self,
        ctx: Mapping[str, Any] | None,
        exception: BaseException,
        message: str,
        extra: dict[str, Any],
    ) -> None:
        self.calls.append((ctx, exception, message, extra))


class Strict(ExceptionReporter):
    """Rejects options the way a well-behaved backend does."""

    def __init__(self, *, port: int = 25) -> None:
        if not isinstance(port, int) or port <= 0:
            raise ConfigError("port", "expected a positive number")
        self.port = port

    def report_exception(
        self, ctx: Any, exception: BaseException, message: str, extra: dict[str, Any]
    ) -> None:
        raise RuntimeError("the mail server is down")


class Provider(ExtrasProvider):
    def __init__(self, data: object) -> None:
        self.data = data

    def get_extras(self, ctx: Any, reporter: ExceptionReporter) -> Any:
        if isinstance(self.data, Exception):
            raise self.data
        return self.data


class UserProvider(ExtrasProvider):
    """Zero-argument provider, configured by reference."""

    def get_extras(self, ctx: Any, reporter: ExceptionReporter) -> dict[str, Any] | None:
        return {"user": {"name": (ctx or {}).get("REMOTE_USER")}}


@pytest.fixture(autouse=True)
def process_config() -> Iterator[None]:
    previous = set_process_config(ReportingConfig())
    yield
    set_process_config(previous)


def _raise(exc: BaseException) -> BaseException:
    try:
        raise exc
    except BaseException as caught:
        return caught


# -- references and backends ---------------------------------------------


def test_resolve_reference_finds_dotted_attributes() -> None:
    assert resolve_reference("os.path:join") is __import__("os").path.join
    assert resolve_reference("logging:Logger.error") is logging.Logger.error


def test_resolve_reference_returns_objects_unchanged() -> None:
    marker = object()
    assert resolve_reference(marker) is marker


@pytest.mark.parametrize(
    ("reference", "fragment"),
    [
        ("no_colon_here", "expected a 'module:name' reference"),
        ("paste_exc_no_such_module:thing", "cannot import module"),
        ("os:no_such_attribute", "has no attribute"),
        (":name", "expected a 'module:name' reference"),
    ],
)
def test_resolve_reference_errors_name_the_option(reference: str, fragment: str) -> None:
    with pytest.raises(ConfigError, match=fragment) as info:
        resolve_reference(reference, option="before_send")
    assert info.value.option == "before_send"


def test_resolve_backend_accepts_class_reference_and_builtin_name() -> None:
    assert resolve_backend(Recorder) is Recorder
    assert resolve_backend(f"{__name__}:Recorder") is Recorder
    assert resolve_backend("sentry").__name__ == "SentryReporter"


def test_unknown_backend_lists_the_available_ones() -> None:
    with pytest.raises(ConfigError, match="unknown reporter backend 'nope'") as info:
        build_reporters({"ops": {"backend": "nope"}})
    assert info.value.option == "reporters.ops.backend"
    assert "email" in str(info.value)
    assert "sentry" in str(info.value)


def test_backend_must_be_a_class() -> None:
    with pytest.raises(ConfigError, match="is not a class"):
        build_reporters({"ops": {"backend": "os.path:join"}})


# -- build_reporters ------------------------------------------------------


def test_entries_are_merged_over_default_args() -> None:
    built = build_reporters(
        {"a": {"backend": Recorder, "x": 1}, "b": {"backend": Recorder, "shared": "own"}},
        {"shared": "default"},
    )
    assert list(built) == ["a", "b"]
    a, b = built["a"], built["b"]
    assert isinstance(a, Recorder)
    assert isinstance(b, Recorder)
    assert a.options == {"shared": "default", "x": 1}
    assert b.options == {"shared": "own"}


def test_backend_defaults_to_the_entry_name(monkeypatch: pytest.MonkeyPatch) -> None:
    import paste_exc.report.registry as registry

    monkeypatch.setitem(registry.BUILTIN_BACKENDS, "recorder", f"{__name__}:Recorder")
    built = build_reporters({"recorder": {"flag": True}})
    assert isinstance(built["recorder"], Recorder)


def test_backend_config_errors_get_the_reporter_prefix() -> None:
    with pytest.raises(ConfigError) as info:
        build_reporters({"mail": {"backend": Strict, "port": -1}})
    assert info.value.option == "reporters.mail.port"
    assert str(info.value) == "reporters.mail.port: expected a positive number"


def test_unknown_keyword_fails_with_the_key_name() -> None:
    with pytest.raises(ConfigError, match=r"Strict rejected its options") as info:
        build_reporters({"mail": {"backend": Strict, "prot": 25}})
    assert info.value.option == "reporters.mail.prot"


def test_builtin_names_build_pastes_reporters(tmp_path: Path) -> None:
    import io

    from paste_exc.report.delivery import get_dispatcher

    stream = io.StringIO()
    built = build_reporters(
        {
            "logfile": {"backend": "log", "filename": str(tmp_path / "errors.log")},
            "stream": {"backend": "file", "file": stream},
        }
    )
    assert [type(r).__name__ for r in built.values()] == ["LogReporter", "FileReporter"]
    set_process_config(ReportingConfig(built))
    report_exception(None, "built-ins", _raise(LookupError("to the built-ins")), logger=False)
    assert get_dispatcher().flush(timeout=10)
    assert "LookupError" in (tmp_path / "errors.log").read_text()
    assert "to the built-ins" in stream.getvalue()
    with pytest.raises(ConfigError) as info:
        build_reporters({"logfile": {"backend": "log", "filname": "x"}})
    assert info.value.option == "reporters.logfile.filname"


def test_entry_must_be_a_mapping() -> None:
    with pytest.raises(ConfigError, match="expected a mapping of options") as info:
        build_reporters({"mail": "email"})  # type: ignore[dict-item]
    assert info.value.option == "reporters.mail"


def test_reporter_without_report_exception_is_rejected() -> None:
    with pytest.raises(ConfigError, match="has no report_exception"):
        build_reporters({"x": {"backend": "collections:OrderedDict"}})


def test_extras_providers_from_references_and_ini_strings() -> None:
    ref = f"{__name__}:UserProvider"
    providers = build_extras_providers(f"{ref}, {ref}")
    assert len(providers) == 2
    assert all(isinstance(p, UserProvider) for p in providers)
    instance = Provider({})
    assert build_extras_providers([instance]) == [instance]
    with pytest.raises(ConfigError, match="not an extras provider") as info:
        build_extras_providers(["os.path:sep"])
    assert info.value.option == "extras_providers"


# -- configure_reporters ----------------------------------------------------


def test_single_reporter_from_keyword_arguments() -> None:
    config = configure_reporters(backend=Recorder, colour="blue")
    assert get_process_config() is config
    (reporter,) = config.reporters.values()
    assert isinstance(reporter, Recorder)
    assert reporter.options == {"colour": "blue"}


def test_named_reporters_and_providers() -> None:
    config = configure_reporters(
        {"one": {"backend": Recorder}, "two": {"backend": Recorder, "level": 2}},
        extras_providers=[f"{__name__}:UserProvider"],
        level=1,
    )
    assert [r.options for r in config.reporters.values()] == [{"level": 1}, {"level": 2}]  # type: ignore[attr-defined]
    assert isinstance(config.extras_providers[0], UserProvider)


def test_ready_made_reporter_instances_are_used_as_they_are() -> None:
    ready = Recorder(colour="red")
    built = build_reporters({"ready": ready, "made": {"backend": Recorder}}, {"level": 1})
    assert built["ready"] is ready
    assert ready.options == {"colour": "red"}  # default_args do not apply to an instance
    assert built["made"].options == {"level": 1}  # type: ignore[attr-defined]
    config = configure_reporters({"ready": ready}, level=3)
    assert config.reporters == {"ready": ready}
    with pytest.raises(ZeroDivisionError) as info:
        1 / 0  # noqa: B018
    report_exception(None, "handled", info.value, logger=False)
    assert [call[2] for call in ready.calls] == ["handled"]


def test_configure_without_reporters_is_an_empty_config() -> None:
    config = configure_reporters()
    assert config.reporters == {}
    assert get_process_config() is config


# -- deliver ----------------------------------------------------------------


def test_extras_are_merged_deeply_later_wins() -> None:
    recorder = Recorder()
    config = ReportingConfig(
        {"r": recorder},
        [
            Provider({"tags": {"a": "1", "b": "1"}, "level": "error"}),
            Provider(None),
            Provider({"tags": {"b": "2"}, "user": {"id": 7}}),
        ],
    )
    assert deliver(None, ValueError("x"), "m", config) == []
    extra = recorder.calls[0][3]
    assert extra == {"tags": {"a": "1", "b": "2"}, "level": "error", "user": {"id": 7}}


def test_bad_providers_are_logged_and_skipped(caplog: pytest.LogCaptureFixture) -> None:
    recorder = Recorder()
    config = ReportingConfig(
        {"r": recorder},
        [
            Provider(RuntimeError("provider broke")),
            Provider(["not", "a", "dict"]),
            Provider({"k": 1}),
        ],
    )
    with caplog.at_level(logging.ERROR, logger="paste_exc.reporting"):
        assert deliver(None, ValueError("x"), "m", config) == []
    assert recorder.calls[0][3] == {"k": 1}
    messages = [r.getMessage() for r in caplog.records if r.name == "paste_exc.reporting"]
    assert any("failed; skipped" in m for m in messages)
    assert any("returned list, not a dict" in m for m in messages)


def test_failing_reporter_is_isolated(caplog: pytest.LogCaptureFixture) -> None:
    first, last = Recorder(), Recorder()
    config = ReportingConfig({"first": first, "mail": Strict(), "last": last})
    with caplog.at_level(logging.ERROR, logger="paste_exc.reporting"):
        failures = deliver({"REQUEST_METHOD": "GET"}, ValueError("x"), "m", config)
    assert failures == ["reporter 'mail' (Strict) failed: RuntimeError: the mail server is down"]
    assert len(first.calls) == len(last.calls) == 1
    # The failure's own traceback, not the chain to the reported exception (whose
    # message reaches the outputs only through the redactor).
    assert any(
        r.exc_text and "the mail server is down" in r.exc_text and "mail" in r.getMessage()
        for r in caplog.records
    )
    assert not any(r.exc_info for r in caplog.records)


def test_deliver_never_raises_on_a_hostile_config() -> None:
    class Hostile:
        @property
        def reporters(self) -> dict[str, Any]:
            raise RuntimeError("no")

    failures = deliver(None, ValueError("x"), "m", Hostile())  # type: ignore[arg-type]
    assert failures == ["the reporting configuration is unusable"]


# -- report_exception ---------------------------------------------------------


def test_ctx_with_environ_key_uses_that_config() -> None:
    process, request = Recorder(), Recorder()
    set_process_config(ReportingConfig({"p": process}))
    environ = {ENVIRON_KEY: ReportingConfig({"r": request}), "REMOTE_USER": "alice"}
    report_exception(environ, "in a request", ValueError("x"), logger=False)
    report_exception({"other": 1}, "a mapping", ValueError("y"), logger=False)
    report_exception(None, "no ctx", ValueError("z"), logger=False)
    assert [c[2] for c in request.calls] == ["in a request"]
    assert request.calls[0][0] is environ
    assert [c[2] for c in process.calls] == ["a mapping", "no ctx"]


def test_exception_defaults_to_the_one_being_handled() -> None:
    recorder = Recorder()
    set_process_config(ReportingConfig({"r": recorder}))
    error = KeyError("handled")
    try:
        raise error
    except KeyError:
        report_exception(None, "caught", logger=False)
    assert recorder.calls[0][1] is error


def test_no_exception_at_all_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="none is being handled"):
        report_exception(None, "nothing")


def test_bad_logger_type_is_rejected() -> None:
    with pytest.raises(TypeError, match="logger must be"):
        report_exception(None, "m", ValueError("x"), logger=3.5)  # type: ignore[arg-type]


def test_logs_on_the_module_where_the_exception_was_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "paste_exc_test_raiser.py").write_text(
        textwrap.dedent(
            """
            def fail():
                raise ZeroDivisionError("deep")
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    import paste_exc_test_raiser

    monkeypatch.delitem(sys.modules, "paste_exc_test_raiser")
    try:
        paste_exc_test_raiser.fail()
    except ZeroDivisionError:
        with caplog.at_level(logging.ERROR):
            report_exception(None, "while dividing")
    (record,) = [r for r in caplog.records if r.getMessage() == "while dividing"]
    assert record.name == "paste_exc_test_raiser"
    assert record.levelno == logging.ERROR
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], ZeroDivisionError)


def test_logger_given_by_name_instance_or_disabled(caplog: pytest.LogCaptureFixture) -> None:
    exc = _raise(ValueError("x"))
    with caplog.at_level(logging.ERROR):
        report_exception(None, "by name", exc, logger="myapp.errors")
        report_exception(None, "by instance", exc, logger=logging.getLogger("myapp.other"))
        report_exception(None, "silent", exc, logger=False)
    names = {r.getMessage(): r.name for r in caplog.records}
    assert names == {"by name": "myapp.errors", "by instance": "myapp.other"}


def test_never_raised_exception_logs_on_the_callers_module(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR):
        report_exception(None, "never raised", ValueError("fresh"))
    (record,) = caplog.records
    assert record.name == __name__


def test_a_failing_reporter_does_not_reach_the_caller(caplog: pytest.LogCaptureFixture) -> None:
    recorder = Recorder()
    set_process_config(ReportingConfig({"bad": Strict(), "good": recorder}))
    with caplog.at_level(logging.ERROR):
        report_exception(None, "m", _raise(ValueError("x")), logger=False)
    assert len(recorder.calls) == 1
    assert any(r.name == "paste_exc.reporting" for r in caplog.records)


def test_every_builtin_name_resolves_to_an_exception_reporter() -> None:
    from paste_exc.report.registry import BUILTIN_BACKENDS, available_backends

    assert set(BUILTIN_BACKENDS) == {
        "email", "log", "logging", "file", "jsonlines", "sentry", "raygun"
    }  # fmt: skip
    assert set(BUILTIN_BACKENDS) <= set(available_backends())
    for name in BUILTIN_BACKENDS:
        assert issubclass(resolve_backend(name), ExceptionReporter), name
