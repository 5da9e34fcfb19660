"""Where the debug token comes from: the option, the environment, the user's secret file."""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from paste_exc.config import resolve_settings
from paste_exc.errormiddleware import ErrorMiddleware
from paste_exc.errors import ConfigError
from paste_exc.respond import token as debugtoken
from paste_exc.respond.token import ENV_VAR, resolve_debug_token, secret_directory, secret_file_path

TOKEN = "configured-token-0123456789"
PROBE = "from paste_exc.respond.token import resolve_debug_token as r; print(r(None).value)"
POSIX = pytest.mark.skipif(not hasattr(os, "getuid"), reason="owner and mode checks are POSIX")


def app(environ: object, start_response: object) -> list[bytes]:
    raise ValueError("boom")


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache directory of our own, no token in the environment."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    return tmp_path / "cache" / "paste_exc"


def refused(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "paste_exc" and r.levelno == logging.WARNING
    ]


# -- the option ----------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["", "short", "x" * 15, "has space 0123456789", "semi;colon0123456789", "é" * 20, "a" * 257],
)
def test_a_bad_debug_token_is_a_config_error_naming_it(value: str) -> None:
    with pytest.raises(ConfigError, match="debug_token"):
        resolve_settings({}, {"debug_token": value})
    with pytest.raises(ConfigError, match="debug_token"):
        ErrorMiddleware(app, debug=True, debug_token=value)
    with pytest.raises(ConfigError, match="debug_token"):
        ErrorMiddleware(app, debug=False, debug_token=value)


def test_a_debug_token_that_is_not_a_string_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="debug_token"):
        resolve_settings({}, {"debug_token": 1234567890123456789})


def test_the_option_works_as_keyword_and_ini_string(cache: Path) -> None:
    assert resolve_settings({}, {"debug_token": TOKEN}).debug_token == TOKEN
    assert resolve_settings({}, {"debug": "true", "debug_token": TOKEN}).debug_token == TOKEN
    assert ErrorMiddleware(app, {}, debug="true", debug_token=TOKEN).debug_token == TOKEN
    assert not cache.exists()


def test_the_token_is_not_in_the_settings_repr() -> None:
    assert TOKEN not in repr(resolve_settings({}, {"debug_token": TOKEN}))
    assert TOKEN not in repr(resolve_debug_token(TOKEN))


def test_the_option_wins_over_the_environment(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, "from-the-environment-0123")
    token = resolve_debug_token(TOKEN)
    assert (token.value, token.source) == (TOKEN, "option")


def test_the_environment_wins_over_the_file(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, "from-the-environment-0123")
    token = resolve_debug_token(None)
    assert (token.value, token.source) == ("from-the-environment-0123", "environment")
    assert ErrorMiddleware(app, debug=True).debug_token == "from-the-environment-0123"
    assert not cache.exists()


def test_a_bad_environment_token_is_a_config_error_naming_it(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_VAR, "short")
    with pytest.raises(ConfigError, match=ENV_VAR):
        ErrorMiddleware(app, debug=True)
    ErrorMiddleware(app, debug=False)  # not read with debug off


def test_an_empty_environment_variable_is_not_set(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_VAR, "")
    assert resolve_debug_token(None).source == "secret file"


# -- the secret file -------------------------------------------------------------


def test_the_secret_file_is_made_private_on_first_use(cache: Path) -> None:
    assert not cache.exists()
    token = resolve_debug_token(None)
    path = cache / "debug-secret"
    assert token.source == "secret file"
    assert token.path == str(path)
    assert path.is_file()
    if hasattr(os, "getuid"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(cache.stat().st_mode) == 0o700
        assert path.stat().st_uid == os.getuid()
    # Derived from the secret, not the secret itself.
    assert token.value not in path.read_text()
    assert len(token.value) >= 32
    assert [p.name for p in cache.iterdir()] == ["debug-secret"]  # no temporary left


def test_the_token_is_stable_across_restarts_and_processes(cache: Path) -> None:
    first = resolve_debug_token(None).value
    assert resolve_debug_token(None).value == first
    assert ErrorMiddleware(app, debug=True).debug_token == first
    probe = PROBE
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == first


def test_workers_starting_together_share_one_token(cache: Path) -> None:
    probe = PROBE

    def worker(_: int) -> str:
        done = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
        )
        return done.stdout.strip()

    with ThreadPoolExecutor(max_workers=4) as pool:
        tokens = set(pool.map(worker, range(4)))
    assert len(tokens) == 1
    assert tokens == {resolve_debug_token(None).value}


def test_a_new_secret_makes_a_new_token(cache: Path) -> None:
    first = resolve_debug_token(None).value
    (cache / "debug-secret").unlink()
    assert resolve_debug_token(None).value != first


def test_debug_off_makes_no_file(cache: Path) -> None:
    middleware = ErrorMiddleware(app, debug=False)
    assert middleware.debug_token is None
    assert not cache.exists()


@POSIX
@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o620, 0o602, 0o660])
def test_a_secret_file_others_can_read_or_write_is_refused(
    cache: Path, mode: int, caplog: pytest.LogCaptureFixture
) -> None:
    derived = resolve_debug_token(None).value
    (cache / "debug-secret").chmod(mode)
    token = resolve_debug_token(None)
    assert token.source == "process"
    assert token.value != derived
    [message] = refused(caplog)
    assert "mode" in message
    assert "debug_token" in message
    # The file is left as it is: never trusted, never rewritten.
    assert stat.S_IMODE((cache / "debug-secret").stat().st_mode) == mode


@POSIX
def test_a_secret_file_of_another_user_is_refused(
    cache: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    derived = resolve_debug_token(None).value
    owner = (cache / "debug-secret").stat().st_uid
    monkeypatch.setattr(os, "getuid", lambda: owner + 1)
    token = resolve_debug_token(None)
    assert (token.source, token.value != derived) == ("process", True)
    [message] = refused(caplog)
    assert "owned by" in message


@POSIX
def test_a_symlinked_secret_file_is_refused(
    cache: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    elsewhere = tmp_path / "planted"
    elsewhere.write_text("ab" * 32)
    elsewhere.chmod(0o600)
    cache.mkdir(parents=True)
    (cache / "debug-secret").symlink_to(elsewhere)
    assert resolve_debug_token(None).source == "process"
    [message] = refused(caplog)
    assert "symbolic link" in message


@pytest.mark.parametrize(
    "content", ["", "not hex at all, not hex at all, not hex at all!", "ab" * 8]
)
def test_a_malformed_secret_file_is_refused(
    cache: Path, content: str, caplog: pytest.LogCaptureFixture
) -> None:
    cache.mkdir(parents=True)
    path = cache / "debug-secret"
    path.write_text(content)
    path.chmod(0o600)
    assert resolve_debug_token(None).source == "process"
    assert "does not hold a secret" in refused(caplog)[0]


def test_a_directory_in_place_of_the_file_is_refused(
    cache: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (cache / "debug-secret").mkdir(parents=True)
    assert resolve_debug_token(None).source == "process"
    assert refused(caplog)


def test_an_unwritable_cache_gives_a_token_per_process_and_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker / "cache"))  # under a file: never writable
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    first = resolve_debug_token(None)
    second = ErrorMiddleware(app, debug=True).debug_token
    assert first.source == "process"
    assert first.value == second  # the same token for the whole process
    messages = refused(caplog)
    assert len(messages) == 2
    assert "cannot be written" in messages[0]
    assert "several worker processes" in messages[0]
    assert "debug_token" in messages[0]
    probe = PROBE
    other = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env={**os.environ, "XDG_CACHE_HOME": str(blocker / "cache")},
    )
    assert other.stdout.strip() != first.value  # another process, another token


# -- the platform directories ------------------------------------------------------


def test_linux_uses_xdg_cache_home_or_dot_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert secret_directory() == tmp_path / "xdg" / "paste_exc"
    assert secret_file_path() == tmp_path / "xdg" / "paste_exc" / "debug-secret"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    assert secret_directory() == tmp_path / ".cache" / "paste_exc"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert secret_directory() == tmp_path / ".cache" / "paste_exc"


def test_macos_uses_library_caches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert secret_directory() == tmp_path / "Library" / "Caches" / "paste_exc"


def test_windows_uses_local_app_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "Local"))
    assert secret_directory() == tmp_path / "Local" / "paste_exc"


def test_the_process_token_is_made_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(debugtoken, "_process_token", None)
    with ThreadPoolExecutor(max_workers=8) as pool:
        tokens = set(pool.map(lambda _: debugtoken._token_for_this_process(), range(32)))
    assert len(tokens) == 1


def test_debug_token_in_a_pastedeploy_ini(tmp_path: Path) -> None:
    from paste.deploy import loadapp

    ini = tmp_path / "app.ini"
    ini.write_text(
        "[app:main]\n"
        f"paste.app_factory = {__name__}:make_app\n"
        "filter-with = errors\n\n"
        "[filter:errors]\n"
        "use = egg:paste_exc#error_catcher\n"
        "debug = true\n"
        f"debug_token = {TOKEN}\n"
    )
    middleware = loadapp(f"config:{ini}")
    assert isinstance(middleware, ErrorMiddleware)
    assert middleware.debug_token == TOKEN
    ini.write_text(ini.read_text().replace(TOKEN, "short"))
    with pytest.raises(ConfigError, match="debug_token"):
        loadapp(f"config:{ini}")


def make_app(global_conf: dict[str, str], **local_conf: str) -> object:
    return app


def test_no_home_directory_gives_a_token_per_process(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    assert ErrorMiddleware(app, debug=True).debug_token == debugtoken._token_for_this_process()
    [message] = refused(caplog)
    assert "no cache directory" in message
    assert "debug_token" in message
