"""The runners of the server guides: gunicorn, waitress, uWSGI, mod_wsgi."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from docs_runner import (
    BIN,
    Scenario,
    free_port,
    program,
    request,
    runner,
    serve,
    wait_for_text,
)

#: The port the pages' examples listen on; the tests use a free one instead.
PAGE_PORT = "8000"


def on_port(directory: Path, port: int) -> None:
    """Move the written files from the pages' port to *port*."""
    for path in directory.rglob("*"):
        if path.is_file() and path.suffix in (".py", ".ini", ".conf", ".sh"):
            text = path.read_text(encoding="utf-8")
            path.write_text(text.replace(f"127.0.0.1:{PAGE_PORT}", f"127.0.0.1:{port}"))


def console_script(block_code: str) -> str:
    """A console block's commands as a bash script: its ``$`` lines and their continuations."""
    commands: list[str] = []
    continued = False
    for line in block_code.splitlines():
        if line.startswith("$ "):
            commands.append(line[2:])
        elif continued:
            commands[-1] += "\n" + line
        continued = bool(commands) and line.endswith("\\")
    assert commands, "a console block with commands"
    return "set -e\n" + "\n".join(commands) + "\n"


def pids(text: str) -> set[str]:
    return set(re.findall(r"in process (\d+)", text))


def unlock_token(log_text: str) -> str:
    """The token in the server log's withheld-page notice."""
    found = re.findall(r"paste_exc_debug=([A-Za-z0-9._~-]+)", log_text)
    assert found, log_text
    return found[-1]


def _tokens_in(log: Path, count: int, timeout: float = 20.0) -> set[str]:
    """The distinct tokens of the unlock notices in *log*, once there are *count* of them."""
    import time

    deadline = time.monotonic() + timeout
    found: set[str] = set()
    while time.monotonic() < deadline:
        text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
        found = set(re.findall(r"paste_exc_debug=([A-Za-z0-9._~-]+)", text))
        if len(found) >= count:
            return found
        time.sleep(0.1)
    raise AssertionError(f"{len(found)} tokens in {log}, expected {count}")


def debug_pages_from(port: int, token: str, workers: int = 2, tries: int = 40) -> set[str]:
    """Failing requests with the token's cookie, until *workers* processes answered.

    Each must get the debug page (its message names the process); which worker
    takes a request is the kernel's choice, and one after the other an idle
    worker tends to take them all: the requests go in batches of eight at once
    (at most *tries* in all) until that many different processes answered.
    """
    from concurrent.futures import ThreadPoolExecutor

    def one(n: int) -> set[str]:
        status, _, body = request(
            port, f"/cart/{n}", {"Cookie": f"paste_exc_debug={token}"}, retries=3
        )
        assert status == 500
        assert pids(body), "the debug page, with the process id in its message"
        return pids(body)

    served_by: set[str] = set()
    with ThreadPoolExecutor(max_workers=8) as pool:
        for start in range(0, tries, 8):
            for found in pool.map(one, range(start, min(start + 8, tries))):
                served_by |= found
            if len(served_by) >= workers:
                break
    return served_by


def server_env(directory: Path, **extra: str) -> dict[str, str]:
    """A server's environment: our virtualenv's programs, the directory on the path, as HOME.

    HOME is the scenario's directory, so nothing a server keeps there (gunicorn's
    control socket) lands in the real home; the debug secret file stays where the
    suite's ``XDG_CACHE_HOME`` puts it.
    """
    import os

    return {
        "PATH": f"{BIN}:{os.environ['PATH']}",
        "PYTHONPATH": str(directory),
        "HOME": str(directory),
        **extra,
    }


@runner("servers")
def _servers(scenario: Scenario) -> None:
    """The servers' application: healthy, and failing with its process id."""
    import os

    from docs_guides import import_file, webtest

    from paste_exc.testing import through_middleware

    directory = scenario.write()
    shop = import_file(directory / "shop.py", "docs_servers_shop")
    client = webtest(through_middleware(shop.application))
    assert client.get("/").text == "the shop is open"
    response = client.get("/cart/9", status=500)
    assert str(os.getpid()) not in response.text  # debug is off: the safe page
    assert (directory / "errors.log").exists()


@runner("gunicorn")
def _gunicorn(scenario: Scenario) -> None:
    """gunicorn with two workers: wsgi.errors in its error log; one token for every worker."""
    directory = scenario.write(include=("servers",))
    program("gunicorn")
    (directory / "start.sh").write_text(console_script(scenario.file("start.sh")))
    port = free_port()
    on_port(directory, port)
    # Each worker serves one request and is replaced: every request meets a new process.
    env = server_env(directory, GUNICORN_CMD_ARGS="--max-requests 1")
    log = directory / "gunicorn-errors.log"
    with serve(["bash", "start.sh"], port, directory, env=env):
        status, _, body = request(port, "/cart/1", retries=3)  # a client without the token
        assert status == 500
        assert not pids(body)  # the safe page
        token = unlock_token(wait_for_text(log, "paste_exc_debug="))
        assert len(debug_pages_from(port, token)) >= 2, "the debug page from several workers"
        assert "Error - <class 'LookupError'>: no cart 0" in wait_for_text(log, "no cart 0")

    # No token configured and no writable cache directory: a token per worker, and a warning.
    not_a_directory = directory / "file"
    not_a_directory.write_text("")
    env = server_env(
        directory,
        GUNICORN_CMD_ARGS="--max-requests 1",
        SHOP_DEBUG="1",
        XDG_CACHE_HOME=str(not_a_directory / "cache"),
        HOME=str(not_a_directory / "home"),
    )
    log.unlink()
    command = [program("gunicorn"), "-c", "gunicorn.conf.py", "shop:application"]
    with serve(command, port, directory, env=env) as server:
        for n in range(2):
            assert request(port, f"/cart/{n}", retries=3)[0] == 500
        tokens = _tokens_in(log, count=2)
        assert len(tokens) == 2  # each worker its own
        assert "debug_token" in server.output()  # the warning names the option to set


@runner("waitress")
def _waitress(scenario: Scenario) -> None:
    """waitress behind a (simulated) nginx: the real client in reports, Secure cookie, the risk."""
    from paste_exc.respond.token import resolve_debug_token

    program("waitress-serve")
    directory = scenario.write(include=("servers",))
    (directory / "start.sh").write_text(console_script(scenario.file("start.sh")))
    port = free_port()
    on_port(directory, port)
    token = resolve_debug_token(None).value  # the per-user file, as the server's
    nginx = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https", "Host": "shop.example"}
    with serve(["bash", "start.sh"], port, directory, env=server_env(directory)) as server:
        status, _, body = request(port, "/cart/1", nginx)
        assert status == 500
        assert not pids(body)  # a visitor: the safe page
        # wsgi.errors is waitress's stderr; the notice names the real client.
        assert "REMOTE_ADDR 203.0.113.7" in wait_for_text(server.log, "REMOTE_ADDR")
        status, headers, _ = request(port, f"/?paste_exc_debug={token}", nginx)
        assert status == 303
        assert "Secure" in headers["set-cookie"]  # https, from X-Forwarded-Proto
        cookie = {**nginx, "Cookie": f"paste_exc_debug={token}"}
        status, _, page = request(port, "/cart/2", cookie)
        assert status == 500
        assert pids(page)  # the developer, through the proxy: the debug page

    # The risk the page warns of: no trusted_proxy, and debug_allow = 127.0.0.0/8.
    risky = directory / "risky.py"
    risky.write_text(
        "from paste_exc.errormiddleware import ErrorMiddleware\n"
        "from shop import shop\n"
        "application = ErrorMiddleware(shop, debug=True, debug_allow='127.0.0.0/8')\n"
    )
    command = [program("waitress-serve"), f"--listen=127.0.0.1:{port}", "risky:application"]
    with serve(command, port, directory, env=server_env(directory)):
        status, _, page = request(port, "/cart/3", nginx)  # a visitor from the internet
        assert status == 500
        assert pids(page), "waitress removed X-Forwarded-For: the visitor looks local"


@runner("uwsgi")
def _uwsgi(scenario: Scenario) -> None:
    """uWSGI with two workers on 127.0.0.1: wsgi.errors in its log at once; one token for all."""
    import os

    program("uwsgi")
    directory = scenario.write(include=("servers",))
    (directory / "start.sh").write_text(console_script(scenario.file("start.sh")))
    port = free_port()
    on_port(directory, port)
    venv = Path(sys.executable).parent.parent
    env = server_env(directory, VIRTUAL_ENV=str(venv))
    env.pop("PYTHONHOME", None)
    log = directory / "uwsgi.log"
    with serve(["bash", "start.sh"], port, directory, env={**os.environ, **env}):
        status, _, body = request(port, "/cart/1", retries=3)
        assert status == 500
        assert not pids(body)
        # In the log while the worker still runs: flushed, not left in a buffer.
        text = wait_for_text(log, "paste_exc_debug=")
        assert "Error - <class 'LookupError'>: no cart 1" in text
        assert "python threads support enabled" in text
        token = unlock_token(text)
        assert len(debug_pages_from(port, token)) >= 2, "the debug page from several workers"


@runner("mod_wsgi")
def _mod_wsgi(scenario: Scenario) -> None:
    """The WSGI script file loads as mod_wsgi loads it, and answers with its token."""
    from docs_guides import webtest

    from paste_exc.reporter import read_log_records
    from paste_exc.respond import access as debugaccess
    from paste_exc.testing import through_middleware

    directory = scenario.write(include=("servers",))
    script = directory / "shop.wsgi"
    script.write_text(script.read_text().replace("/srv/shop", str(directory)))
    token = "mod-wsgi-example-token-0123456789"
    (directory / "debug-token").write_text(token + "\n")
    # mod_wsgi runs the script file as a module of its own, and takes its `application`.
    namespace: dict[str, Any] = {"__name__": "_mod_wsgi_shop", "__file__": str(script)}
    saved_path = list(sys.path)
    try:
        exec(compile(script.read_text(), str(script), "exec"), namespace)  # noqa: S102
    finally:
        sys.path[:] = saved_path
        sys.modules.pop("shop", None)
    debugaccess._withheld.reset()  # the notice is once a minute per process: this test's turn
    app = through_middleware(namespace["application"])  # its errors: Apache's ErrorLog here
    client = webtest(app, extra_environ={"REMOTE_ADDR": "198.51.100.4"})
    client.get("/cart/1", status=500)
    assert "paste_exc_debug=" + token in app.errors
    assert "Error - <class 'LookupError'>: no cart 1" in app.errors
    client.set_cookie("paste_exc_debug", token)
    page = client.get("/cart/2", status=500)
    assert pids(page.text)  # the debug page for the token's holder
    assert len(list(read_log_records(str(directory / "errors.log")))) == 2
