"""Real ASGI servers (uvicorn, hypercorn) on 127.0.0.1 for the end-to-end tests.

Each server runs in a process of its own (its own event loop, as in
production), started on a free port and stopped by SIGTERM (SIGKILL after
10 s). The applications are module files written into the test's directory:
a Starlette one, a FastAPI one and a Django one, each behind
:class:`~paste_exc.ASGIErrorMiddleware` with its reports in a log file.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from paste_exc.format.records import ReportRecord
from paste_exc.reporter import read_log_records

BIN = Path(sys.executable).parent

#: The application's routes, the same in every framework: ``/healthy/N`` answers
#: ``healthy N``, ``/fail/N`` raises ``LookupError("failure number N")``, and the
#: websocket ``/ws`` accepts, sends ``hello`` and fails.
APPS = {
    "starlette_app": """
        import asyncio
        import os

        from starlette.applications import Starlette
        from starlette.responses import PlainTextResponse
        from starlette.routing import Route, WebSocketRoute

        from paste_exc import ASGIErrorMiddleware


        async def healthy(request):
            await asyncio.sleep(0.01)  # the requests interleave on the loop
            return PlainTextResponse(f"healthy {request.path_params['n']}")


        async def fail(request):
            await asyncio.sleep(0.01)
            raise LookupError(f"failure number {request.path_params['n']}")


        async def socket(websocket):
            await websocket.accept()
            await websocket.send_text("hello")
            raise LookupError("failure in the websocket")


        app = Starlette(
            routes=[
                Route("/healthy/{n}", healthy),
                Route("/fail/{n}", fail),
                WebSocketRoute("/ws", socket),
            ]
        )
        app.add_middleware(ASGIErrorMiddleware, error_log=os.environ["ASGI_ERROR_LOG"])
        """,
    "fastapi_app": """
        import asyncio
        import os

        from fastapi import FastAPI, WebSocket
        from fastapi.responses import PlainTextResponse

        from paste_exc import ASGIErrorMiddleware

        app = FastAPI()


        @app.get("/healthy/{n}", response_class=PlainTextResponse)
        async def healthy(n: int):
            await asyncio.sleep(0.01)
            return f"healthy {n}"


        @app.get("/fail/{n}")
        async def fail(n: int):
            await asyncio.sleep(0.01)
            raise LookupError(f"failure number {n}")


        @app.websocket("/ws")
        async def socket(websocket: WebSocket):
            await websocket.accept()
            await websocket.send_text("hello")
            raise LookupError("failure in the websocket")


        app.add_middleware(ASGIErrorMiddleware, error_log=os.environ["ASGI_ERROR_LOG"])
        """,
    # Django serves HTTP only: a websocket reaches its handler, which refuses the scope.
    "django_app": """
        import asyncio
        import os

        from django.conf import settings

        settings.configure(
            DEBUG=False,
            # Unhandled exceptions leave Django, to the middleware (see the Django guide).
            DEBUG_PROPAGATE_EXCEPTIONS=True,
            ALLOWED_HOSTS=["127.0.0.1", "localhost"],
            ROOT_URLCONF=__name__,
            SECRET_KEY="a-test-key-for-the-asgi-server-tests-only",
            MIDDLEWARE=[],
            INSTALLED_APPS=[],
        )

        from django.core.asgi import get_asgi_application
        from django.http import HttpResponse
        from django.urls import path

        from paste_exc import ASGIErrorMiddleware


        async def healthy(request, n):
            await asyncio.sleep(0.01)
            return HttpResponse(f"healthy {n}", content_type="text/plain")


        def fail(request, n):  # a sync view: Django runs it in a thread
            raise LookupError(f"failure number {n}")


        urlpatterns = [path("healthy/<int:n>", healthy), path("fail/<int:n>", fail)]
        app = ASGIErrorMiddleware(get_asgi_application(), error_log=os.environ["ASGI_ERROR_LOG"])
        """,
}


def write_apps(directory: Path) -> None:
    for name, source in APPS.items():
        (directory / f"{name}.py").write_text(textwrap.dedent(source), encoding="utf-8")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def command(server: str, module: str, port: int) -> list[str]:
    """The command line that serves ``module:app`` with *server* on 127.0.0.1:*port*."""
    if server == "uvicorn":
        return [
            str(BIN / "uvicorn"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--ws",
            "websockets",
            f"{module}:app",
        ]
    return [str(BIN / "hypercorn"), "--bind", f"127.0.0.1:{port}", f"{module}:app"]


@dataclass
class Served:
    """A running server: its port, its log file of reports and its own output."""

    port: int
    error_log: Path
    output: Path
    process: subprocess.Popen[bytes]

    def printed(self) -> str:
        return self.output.read_text(encoding="utf-8", errors="replace")

    def records(self, count: int, timeout: float = 30.0) -> list[ReportRecord]:
        """The log file's records once there are *count* of them (reports may lag a response)."""
        deadline = time.monotonic() + timeout
        found: list[ReportRecord] = []
        while time.monotonic() < deadline:
            if self.error_log.exists():
                found = [r for r in read_log_records(str(self.error_log)) if r.complete]
                if len(found) >= count:
                    return found
            time.sleep(0.1)
        raise AssertionError(f"{len(found)} reports in {self.error_log}, expected {count}")


def _wait_listening(port: int, process: subprocess.Popen[bytes], output: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            text = output.read_text(errors="replace")
            raise AssertionError(f"the server exited with {process.returncode}:\n{text}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.1)
    raise AssertionError(f"nothing listened on 127.0.0.1:{port}:\n{output.read_text()}")


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server's process group, SIGKILL after 10 s; wait for it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)


@contextlib.contextmanager
def serving(server: str, module: str, directory: Path) -> Iterator[Served]:
    """Serve ``module:app`` from *directory* with *server* until the block ends."""
    port = free_port()
    error_log = directory / f"{server}-{module}-errors.log"
    output = directory / f"{server}-{module}.out"
    env = {**os.environ, "PYTHONPATH": str(directory), "ASGI_ERROR_LOG": str(error_log)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    with output.open("wb") as out:
        process = subprocess.Popen(
            command(server, module, port),
            cwd=directory,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        _wait_listening(port, process, output)
        yield Served(port, error_log, output, process)
    finally:
        stop(process)
