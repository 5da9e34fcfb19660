"""What the documentation's examples run with: the runner registry, the reader's own code, servers.

A *runner* takes a :class:`Scenario` (the blocks that share a marker name,
written into a directory of their own) and runs it against the real package,
framework or server, asserting what the page says happens.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docs_blocks import Block

PYTHON = sys.executable
BIN = Path(sys.executable).parent

#: Scenario or runner name -> the function that runs it.
RUNNERS: dict[str, Callable[[Scenario], None]] = {}


def runner(name: str) -> Callable[[Callable[[Scenario], None]], Callable[[Scenario], None]]:
    """Register the decorated function as the runner of the marker name *name*."""

    def register(func: Callable[[Scenario], None]) -> Callable[[Scenario], None]:
        if name in RUNNERS:
            raise ValueError(f"two runners for {name!r}")
        RUNNERS[name] = func
        return func

    return register


@dataclass
class Scenario:
    """The blocks of one marker name, and the directory they are written into."""

    name: str
    blocks: list[Block]
    directory: Path
    #: every scenario of the docs, for a runner that needs another page's files
    library: Mapping[str, list[Block]] = field(default_factory=dict)
    written: dict[str, Path] = field(default_factory=dict)

    @property
    def code(self) -> str:
        """The code of a one-block scenario (a named runner's block)."""
        if len(self.blocks) != 1:
            raise AssertionError(f"{self.name}: {len(self.blocks)} blocks, expected one")
        return self.blocks[0].code

    def file(self, name: str) -> str:
        """The code of the block that is the file *name*."""
        for block in self.blocks:
            if block.filename == name:
                return block.code
        raise AssertionError(f"{self.name}: no block is the file {name!r}")

    def write(
        self,
        prepend: Mapping[str, str] | None = None,
        extra: Mapping[str, str] | None = None,
        include: tuple[str, ...] = (),
    ) -> Path:
        """Write every file of the scenario, and the *extra* files, under the directory.

        :param prepend: file name -> text written before that file's block (a
            settings module of which the page shows only the lines it is about)
        :param extra: file name -> text (dedented) of files the page does not show
        :param include: other scenarios whose files are written too (a page's
            application that the pages of the servers serve)
        """
        files = {name: textwrap.dedent(text) for name, text in (extra or {}).items()}
        included = [block for name in include for block in self.library[name]]
        for block in [*included, *self.blocks]:
            if block.filename is not None:
                files[block.filename] = (prepend or {}).get(block.filename, "") + block.code
        for name, text in files.items():
            path = self.directory / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            self.written[name] = path
        return self.directory


# --- the reader's own code: what the examples call but do not define


class PlaceholderError(Exception):
    """What the reader's own functions in the examples raise (``main()``, ``do_something()``)."""


def _fails(*args: object, **kwargs: object) -> Any:
    raise PlaceholderError("the reader's own code failed")


def my_wsgi_app(environ: Mapping[str, Any], start_response: Any) -> list[bytes]:
    """The reader's application: healthy on ``/``, failing elsewhere."""
    if environ.get("PATH_INFO", "/") != "/":
        raise PlaceholderError(f"failed on {environ.get('PATH_INFO')}")
    start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
    return [b"healthy\n"]


def reader_app_factory(global_conf: Mapping[str, str], **local_conf: str) -> Any:
    """PasteDeploy's ``call:`` factory of the reader's application."""
    return my_wsgi_app


def placeholders() -> dict[str, Any]:
    """The names the examples use as the reader's own (a fresh set for each block)."""
    return {
        "my_wsgi_app": my_wsgi_app,
        "application": my_wsgi_app,
        "main": _fails,
        "run_nightly_job": _fails,
        "do_something": _fails,
        "PlaceholderError": PlaceholderError,
    }


#: The package ``myapp`` (and ``mypager``) that the ini examples name in references.
READER_PACKAGES = {
    "myapp/__init__.py": "",
    "myapp/errors.py": """
        from paste_exc.api import ExtrasProvider


        class UserProvider(ExtrasProvider):
            def get_extras(self, ctx, reporter):
                return {"user": ctx.get("REMOTE_USER")} if ctx else None


        UserExtras = UserProvider


        class ClientGone(Exception):
            pass
        """,
    "myapp/sentry.py": """
        def drop_health_checks(event, hint):
            return None if "/health" in str(event.get("request", {}).get("url")) else event
        """,
    "mypager/__init__.py": "",
    "mypager/reporting.py": """
        from paste_exc.reporter import Reporter


        class PagerReporter(Reporter):
            url = None

            def deliver(self, exc_data, message=""):
                pass
        """,
}


def write_reader_packages(directory: Path) -> None:
    for name, text in READER_PACKAGES.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


# --- servers on 127.0.0.1, bounded in time


def program(name: str) -> str:
    """The path of the virtualenv's program *name* (a server the test extra installs).

    Missing (uWSGI did not build without a C compiler, say): the test fails
    under ``CI=true`` and is skipped elsewhere, as every missing prerequisite.
    """
    from conftest import missing_prerequisite

    path = BIN / name
    if not path.exists():
        missing_prerequisite(f"{name} is not installed in the virtualenv (the test extra has it)")
    return str(path)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    """Wait until something listens on 127.0.0.1:*port*; fail if *process* ends first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited with {process.returncode} before listening")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.1)
    raise AssertionError(f"nothing listened on 127.0.0.1:{port} within {timeout} s")


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@contextlib.contextmanager
def serve(
    command: list[str],
    port: int,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    timeout: float = 30.0,
) -> Iterator[Server]:
    """Run a server until the block ends: stopped by SIGTERM, killed after 10 s."""
    log = cwd / f"server-{port}.out"
    environment = {**os.environ, "PYTHONPATH": str(cwd), **(env or {})}
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    server = Server(process, port, log)
    try:
        try:
            wait_for_port(port, process, timeout)
        except AssertionError as error:
            raise AssertionError(f"{error}\n{server.output()}") from None
        yield server
    finally:
        _stop_group(process)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server's process group (its workers too), SIGKILL after 10 s.

    Returns once no process of the group is left, so the port is free again.
    """
    pgid = process.pid
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while _group_alive(pgid) and time.monotonic() < deadline:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(0.1)
    if _group_alive(pgid):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)
    process.wait(10)
    deadline = time.monotonic() + 10
    while _group_alive(pgid) and time.monotonic() < deadline:
        time.sleep(0.05)


def request(
    port: int,
    path: str,
    headers: Mapping[str, str] | None = None,
    method: str = "GET",
    retries: int = 0,
) -> tuple[int, dict[str, str], str]:
    """One HTTP request to 127.0.0.1:*port*: status, headers (lower-case names), body.

    :param retries: how often to try again when the connection is reset before
        an answer (a worker replaced by ``max-requests`` while the request waited)
    """
    for attempt in range(retries + 1):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
        try:
            connection.request(method, path, headers=dict(headers or {}))
            response = connection.getresponse()
            found = {name.lower(): value for name, value in response.getheaders()}
            return response.status, found, response.read().decode("utf-8", "replace")
        except (ConnectionResetError, http.client.RemoteDisconnected):
            if attempt == retries:
                raise
        finally:
            connection.close()
    raise AssertionError("unreachable")


def wait_for_text(path: Path, text: str, timeout: float = 20.0) -> str:
    """Wait until the file *path* contains *text*; return its content."""
    deadline = time.monotonic() + timeout
    content = ""
    while time.monotonic() < deadline:
        if path.exists():
            content = path.read_text(encoding="utf-8", errors="replace")
            if text in content:
                return content
        time.sleep(0.1)
    raise AssertionError(f"{text!r} not in {path} within {timeout} s:\n{content}")


# --- a mail server on 127.0.0.1, and Python in a process of its own


@dataclass
class MailServer:
    """aiosmtpd on 127.0.0.1: the messages it received, raw."""

    port: int
    received: list[bytes]
    arrived: threading.Event


@contextlib.contextmanager
def mail_server() -> Iterator[MailServer]:
    from aiosmtpd.controller import Controller

    server = MailServer(free_port(), [], threading.Event())

    class Mailbox:
        async def handle_DATA(self, smtp: Any, session: Any, envelope: Any) -> str:
            server.received.append(envelope.content)
            server.arrived.set()
            return "250 OK"

    controller = Controller(Mailbox(), hostname="127.0.0.1", port=server.port)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


def run_script(
    directory: Path,
    *args: str,
    env: Mapping[str, str] | None = None,
    drop: tuple[str, ...] = (),
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """``python ARGS`` in *directory* (on the path), bounded in time; *drop*: variables to unset."""
    environment = {k: v for k, v in os.environ.items() if k not in drop}
    return subprocess.run(
        [sys.executable, *args],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**environment, "PYTHONPATH": str(directory), **(env or {})},
    )
