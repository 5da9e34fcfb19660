"""The runners of the ASGI examples: uvicorn, hypercorn, gunicorn's uvicorn workers, Django ASGI.

Each serves the page's application with the page's command on a free port of
127.0.0.1 and checks what the page says: the healthy page, the safe page for
a failing request, its report in the log file, and (gunicorn) the debug page
from several workers with one token.
"""

from __future__ import annotations

import time
from pathlib import Path

from docs_guides import DJANGO_FILES, DJANGO_SETTINGS_BASE
from docs_runner import Scenario, free_port, program, request, runner, serve, wait_for_text
from docs_servers import console_script, debug_pages_from, on_port, pids, server_env, unlock_token

from paste_exc.reporter import read_log_records


def _script(scenario: Scenario, name: str, port: int) -> Path:
    """The console block *name* as a bash script, on *port* instead of the page's."""
    script = scenario.directory / name
    text = console_script(scenario.file(name)).replace("--port 8000", f"--port {port}")
    script.write_text(text.replace("127.0.0.1:8000", f"127.0.0.1:{port}"), encoding="utf-8")
    return script


def _reports(log: Path, text: str, timeout: float = 20.0) -> list[str]:
    """The complete reports in *log* that hold *text*, once there is one."""
    deadline = time.monotonic() + timeout
    while True:
        wait_for_text(log, text, timeout)
        found = [r.text for r in read_log_records(str(log)) if r.complete and text in r.text]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


@runner("asgi-servers")
def _asgi_servers(scenario: Scenario) -> None:
    """uvicorn (two workers) and hypercorn serve the page's application behind the middleware."""
    program("uvicorn")
    program("hypercorn")
    directory = scenario.write()
    for name in ("uvicorn.sh", "hypercorn.sh"):
        port = free_port()
        log = directory / f"{name}.errors.log"
        env = server_env(directory, SHOP_ERROR_LOG=str(log))
        with serve(["bash", str(_script(scenario, name, port))], port, directory, env=env) as srv:
            assert request(port, "/", retries=3)[::2] == (200, "the shop is open"), name
            status, headers, body = request(port, "/cart/7", {"Accept": "text/html"}, retries=3)
            assert status == 500, name
            assert headers["x-error-id"] in body  # the safe page, with its occurrence
            assert not pids(body)  # debug is off: nothing of the error
            [report] = _reports(log, "no cart 7")
            assert "LookupError: no cart 7 in process" in report
            assert "ASGI Variables" in report
            assert "Traceback" not in srv.output()  # ours answered: the server logged nothing


@runner("gunicorn-asgi")
def _gunicorn_asgi(scenario: Scenario) -> None:
    """gunicorn with two uvicorn workers: the notice on stderr; one token for every worker."""
    program("gunicorn")
    directory = scenario.write(include=("asgi-servers",))
    port = free_port()
    script = _script(scenario, "start.sh", port)
    on_port(directory, port)
    with serve(["bash", str(script)], port, directory, env=server_env(directory)) as server:
        status, _, body = request(port, "/cart/1", retries=3)  # a client without the token
        assert status == 500
        assert not pids(body)  # the safe page
        token = unlock_token(wait_for_text(server.log, "paste_exc_debug="))
        assert len(debug_pages_from(port, token)) >= 2, "the debug page from both workers"
        assert "Error - <class 'LookupError'>: no cart 1" in server.output()


@runner("django-asgi")
def _django_asgi(scenario: Scenario) -> None:
    """Django's ASGI application, wrapped in asgi.py, served by uvicorn."""
    program("uvicorn")
    directory = scenario.write(
        prepend={"mysite/settings.py": DJANGO_SETTINGS_BASE},
        extra=DJANGO_FILES,
        include=("django",),
    )
    port = free_port()
    env = server_env(directory, DOCS_SMTP_PORT="25")
    command = [program("uvicorn"), "--host", "127.0.0.1", "--port", str(port)]
    with serve([*command, "mysite.asgi:application"], port, directory, env=env) as server:
        assert request(port, "/", retries=3)[::2] == (200, "open")
        status, headers, body = request(port, "/boom", {"Accept": "text/html"})
        assert status == 500
        assert headers["x-error-id"] in body  # paste_exc's safe page, not Django's
        assert "no such order" not in body
        status, headers, _ = request(port, "/missing")
        assert status == 404  # Django's own answer
        assert "x-error-id" not in headers
        [report] = _reports(directory / "errors.log", "no such order")
        assert "LookupError: no such order" in report
        assert "Traceback" not in server.output()
