"""``paste-exc serve --asgi`` and ``paste-exc demo --asgi``: uvicorn on 127.0.0.1, for real.

The server runs as a subprocess on a free port (``--port 0``: the command
binds the socket and prints the port it got), with the flags of the WSGI mode.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_cli import fetch, fetch_all, start_reading, unlock_url_in

from paste_exc.cli import main
from paste_exc.reporter import read_log_records

ASGI_SOURCE = """
async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        return  # uvicorn's lifespan "auto": an application without one is served all the same
    if scope["path"] == "/fail":
        raise LookupError("served by the ASGI CLI")
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"asgi ok"})
"""


def unlock(port: int, url: str) -> str:
    """Open the unlock URL as a browser would; return the cookie it set.

    ASGI header names are lower case (uvicorn sends them as the application gave them).
    """
    status, headers, _ = fetch_all(port, url)
    lowered = {name.lower(): value for name, value in headers.items()}
    assert status == 303
    assert lowered["location"] == "/"
    cookie = lowered["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie
    return cookie.split(";")[0]


def stop(process: subprocess.Popen[str]) -> str:
    """Stop the server; what it printed after its banner."""
    process.terminate()
    process.wait(timeout=20)
    assert process.stdout is not None
    output = process.stdout.read()
    process.stdout.close()
    return output


@pytest.fixture
def app_dir(tmp_path: Path) -> Path:
    (tmp_path / "cliasgi.py").write_text(ASGI_SOURCE)
    return tmp_path


@pytest.fixture
def served(app_dir: Path) -> Iterator[tuple[int, Path, list[str]]]:
    log = app_dir / "errors.log"
    ini = app_dir / "errors.ini"
    ini.write_text("[paste_exc]\nerror_message = Served over ASGI with an ini file.\n")
    args = ["serve", "--asgi", "cliasgi:app", "--error-log", str(log), "--ini", str(ini)]
    process, port, printed = start_reading(args, app_dir)
    try:
        yield port, log, printed
    finally:
        stop(process)


@pytest.mark.slow
def test_serve_asgi_wraps_the_app_in_the_asgi_middleware(
    served: tuple[int, Path, list[str]],
) -> None:
    port, log, printed = served
    assert f"Error reports are appended to {log}\n" in printed
    assert fetch(port, "/") == (200, b"asgi ok")
    status, body = fetch(port, "/fail")
    assert status == 500
    assert b"Served over ASGI with an ini file." in body  # the ini's option, taken
    assert b"served by the ASGI CLI" not in body  # debug off: the safe page
    [record] = read_log_records(str(log))
    assert "LookupError: served by the ASGI CLI" in record.text
    assert "ASGI Variables" in record.text  # reported by the ASGI middleware


@pytest.mark.slow
def test_serve_asgi_debug_prints_an_unlock_url_that_works(app_dir: Path) -> None:
    process, port, printed = start_reading(["serve", "--asgi", "cliasgi:app", "--debug"], app_dir)
    try:
        url = unlock_url_in(printed, port)
        status, body = fetch(port, "/fail")
        assert status == 500
        assert b"served by the ASGI CLI" not in body  # no cookie: the safe page
        cookie = unlock(port, url)
        status, body = fetch(port, "/fail", cookie)
        assert status == 500
        assert b"served by the ASGI CLI" in body  # the debug page
        assert b'class="traceback"' in body
    finally:
        output = stop(process)
    # The withheld page told the server's output how to unlock, as in the WSGI mode.
    assert "debug page was withheld" in output
    assert url in output


@pytest.mark.slow
def test_serve_asgi_without_debug_prints_no_unlock_url(app_dir: Path) -> None:
    process, _, printed = start_reading(["serve", "--asgi", "cliasgi:app"], app_dir)
    stop(process)
    assert not any("paste_exc_debug" in line for line in printed)


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "paste_exc", *args, "--port", "0"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("ini", "option"),
    [
        ("smtp_use_tls = kinda", "smtp_use_tls"),
        ("debug = true\ndebug_token = short", "debug_token"),
        ("reraise = sometimes", "reraise"),
        ("colour = blue", "colour"),
    ],
)
def test_serve_asgi_with_a_bad_option_fails_at_start_up_naming_it(
    app_dir: Path, ini: str, option: str
) -> None:
    (app_dir / "bad.ini").write_text(f"[paste_exc]\n{ini}\n")
    result = _run(["serve", "--asgi", "cliasgi:app", "--ini", "bad.ini"], app_dir)
    assert result.returncode == 2, result.stdout + result.stderr
    assert option in result.stderr
    assert "Serving on" not in result.stdout  # it never listened


@pytest.mark.slow
def test_serve_asgi_with_a_bad_flag_fails_naming_it(app_dir: Path) -> None:
    result = _run(["serve", "--asgi", "cliasgi:app", "--colour", "blue"], app_dir)
    assert result.returncode == 2
    assert "--colour" in result.stderr


def test_serve_asgi_without_uvicorn_names_the_extra(
    app_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(app_dir)
    monkeypatch.syspath_prepend(str(app_dir))
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # import uvicorn raises ImportError
    assert main(["serve", "--asgi", "cliasgi:app", "--port", "0"]) == 1
    assert "pip install 'paste_exc[asgi]'" in capsys.readouterr().err


@pytest.mark.slow
def test_demo_asgi_serves_every_failure(tmp_path: Path) -> None:
    log = tmp_path / "demo.log"
    process, port, printed = start_reading(["demo", "--asgi", "--error-log", str(log)], tmp_path)
    try:
        cookie = unlock(port, unlock_url_in(printed, port))
        status, index = fetch(port, "/")
        assert status == 200
        links = [link.decode() for link in re.findall(rb'href="(/[^"]*)"', index)]
        assert len(links) >= 10
        for link in links:
            status, body = fetch(port, link, cookie)
            assert status in (200, 500), link
            if link not in ("/healthy", "/in-close"):  # /in-close: reported only
                assert b"E-" in body or b"Error" in body or b"error" in body, link
        status, body = fetch(port, "/json-client")
        assert status == 500
        assert json.loads(body)["status"] == 500
        status, body = fetch(port, "/in-iterator", cookie)
        assert status == 200
        assert b"<li>row 2</li>" in body
        assert b"row 3 could not be rendered" in body  # appended to the page
        status, body = fetch(port, "/in-close")
        assert status == 200  # sent in full, then reported only
        assert body == b"This body was sent in full; then releasing the connection failed.\n"
        status, body = fetch(port, "/plain", cookie)
        assert status == 500
        assert b"pears" in body  # the debug page
        status, body = fetch(port, "/plain")
        assert status == 500
        assert b"pears" not in body  # any other client: the safe page
        status, body = fetch(port, "/secret", cookie)
        assert status == 500
        assert b"sk_live_51Hdemo0123456789abcdef" not in body  # redacted in the scope too
    finally:
        stop(process)
    text = log.read_text()
    for failure in (
        "ExceptionGroup",
        "KeyError: 'settings'",
        "OSError: could not release the database connection",
        "RecursionError",
        "ArithmeticError",
        "PermissionError",
    ):
        assert failure in text, failure
    assert "ASGI Variables" in text
