"""The paste-exc command line: argument errors, and serving for real on 127.0.0.1."""

from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from paste_exc.cli import build_parser, load_app, main
from paste_exc.errors import ConfigError

APP_SOURCE = """
def app(environ, start_response):
    if environ["PATH_INFO"] == "/fail":
        raise LookupError("served by the CLI")
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"cli ok"]
"""


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("nocolon", "MODULE:APP"),
        ("no_such_module_xyz:app", "cannot import"),
        ("os:nothing", "no attribute"),
    ],
)
def test_bad_app_reference_exits_2(
    reference: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", reference]) == 2
    assert message in capsys.readouterr().err


def test_load_app_rejects_non_callables() -> None:
    with pytest.raises(ConfigError, match="not callable"):
        load_app("os:sep")


def test_parser_defaults() -> None:
    args = build_parser().parse_args(["serve", "m:a"])
    assert (args.host, args.port, args.debug, args.ini) == ("127.0.0.1", 8080, False, None)
    with pytest.raises(SystemExit):
        build_parser().parse_args([])


def test_bad_ini_option_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "cliapp_bad.py").write_text(APP_SOURCE)
    ini = tmp_path / "errors.ini"
    ini.write_text("[paste_exc]\nsmtp_use_tls = kinda\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    assert main(["serve", "cliapp_bad:app", "--ini", str(ini)]) == 2
    assert "smtp_use_tls" in capsys.readouterr().err


def start(args: list[str], cwd: Path) -> tuple[subprocess.Popen[str], int]:
    process, port, _ = start_reading(args, cwd)
    return process, port


def start_reading(args: list[str], cwd: Path) -> tuple[subprocess.Popen[str], int, list[str]]:
    """Start ``paste-exc`` on a free port; the process, its port and what it printed."""
    process = subprocess.Popen(
        [sys.executable, "-m", "paste_exc", *args, "--port", "0"],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONPATH": str(cwd)},
    )
    assert process.stdout is not None
    printed: list[str] = []
    port = None
    for _ in range(20):
        line = process.stdout.readline()
        printed.append(line)
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if found and port is None:
            port = int(found.group(1))
        if line.startswith("Press Ctrl-C") and port is not None:
            return process, port, printed
    process.kill()
    raise AssertionError(f"the server did not print its URL: {printed}")


def unlock_url_in(printed: list[str], port: int) -> str:
    """The unlock URL the server printed (its path and query)."""
    found = [
        match.group(1)
        for line in printed
        if (match := re.search(rf"http://127\.0\.0\.1:{port}(/\?paste_exc_debug=[\w.~-]+)", line))
    ]
    assert len(found) == 1, printed
    return found[0]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    (tmp_path / "cliapp.py").write_text(APP_SOURCE)
    log = tmp_path / "errors.log"
    ini = tmp_path / "errors.ini"
    ini.write_text("[paste_exc]\nerror_message = Served with an ini file.\n")
    process, port = start(
        ["serve", "cliapp:app", "--error-log", str(log), "--ini", str(ini)], tmp_path
    )
    try:
        yield port, log
    finally:
        process.terminate()
        process.wait(timeout=10)
        assert process.stdout is not None
        process.stdout.close()


def fetch(port: int, path: str, cookie: str | None = None) -> tuple[int, bytes]:
    status, _, body = fetch_all(port, path, cookie)
    return status, body


def fetch_all(port: int, path: str, cookie: str | None = None) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def unlock(port: int, url: str) -> str:
    """Open the unlock URL as a browser would; return the cookie it set."""
    status, headers, _ = fetch_all(port, url)
    assert status == 303
    assert headers["Location"] == "/"
    cookie = headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie
    return cookie.split(";")[0]


@pytest.mark.slow
def test_serve_wraps_the_app(served: tuple[int, Path]) -> None:
    port, log = served
    assert fetch(port, "/") == (200, b"cli ok")
    status, body = fetch(port, "/fail")
    assert status == 500
    assert b"Served with an ini file." in body
    assert b"served by the CLI" not in body
    assert "LookupError" in log.read_text()


@pytest.mark.slow
def test_serve_debug_prints_the_unlock_url(tmp_path: Path) -> None:
    (tmp_path / "cliapp.py").write_text(APP_SOURCE)
    process, port, printed = start_reading(["serve", "cliapp:app", "--debug"], tmp_path)
    try:
        url = unlock_url_in(printed, port)
        status, body = fetch(port, "/fail")
        assert status == 500
        assert b"served by the CLI" not in body
        cookie = unlock(port, url)
        status, body = fetch(port, "/fail", cookie)
        assert status == 500
        assert b"served by the CLI" in body
    finally:
        process.terminate()
        process.wait(timeout=10)
        assert process.stdout is not None
        output = process.stdout.read()
        process.stdout.close()
    # The withheld page told the server's log how to unlock.
    assert "debug page was withheld" in output
    assert url in output


@pytest.mark.slow
def test_serve_without_debug_prints_no_unlock_url(tmp_path: Path) -> None:
    (tmp_path / "cliapp.py").write_text(APP_SOURCE)
    process, _, printed = start_reading(["serve", "cliapp:app"], tmp_path)
    process.terminate()
    process.wait(timeout=10)
    assert process.stdout is not None
    process.stdout.close()
    assert not any("paste_exc_debug" in line for line in printed)


@pytest.mark.slow
def test_demo_serves_every_failure(tmp_path: Path) -> None:
    log = tmp_path / "demo.log"
    process, port, printed = start_reading(["demo", "--error-log", str(log)], tmp_path)
    try:
        cookie = unlock(port, unlock_url_in(printed, port))
        status, index = fetch(port, "/")
        assert status == 200
        links = re.findall(rb'href="(/[^"]*)"', index)
        assert len(links) >= 10
        for link in links:
            status, body = fetch(port, link.decode(), cookie)
            assert status in (200, 500), link
            if link != b"/healthy":
                assert b"E-" in body or b"Error" in body or b"error" in body, link
        for path in (
            "/plain",
            "/chained-context",
            "/chained",
            "/group",
            "/notes",
            "/after-start",
            "/in-iterator",
            "/in-close",
            "/recursion",
            "/supplement",
            "/secret",
            "/json-client",
        ):
            assert any(link.split(b"?")[0] == path.encode() for link in links), path
        status, body = fetch(port, "/json-client")
        assert status == 500
        assert json.loads(body)["status"] == 500
        status, body = fetch(port, "/in-iterator", cookie)
        assert status == 200
        assert b"row 3 could not be rendered" in body
        status, body = fetch(port, "/plain", cookie)
        assert status == 500
        assert b"pears" in body  # the debug page
        # Without the cookie (any other client, even on 127.0.0.1): the safe page.
        status, body = fetch(port, "/plain")
        assert status == 500
        assert b"pears" not in body
    finally:
        process.terminate()
        process.wait(timeout=10)
        assert process.stdout is not None
        process.stdout.close()
    assert "ExceptionGroup" in log.read_text()
