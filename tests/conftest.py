"""Fixtures shared by the whole test suite."""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from hypothesis import settings as hypothesis_settings

from paste_exc.collector import CollectedException, collect_exception

# The tests mirror the package's folders; a test may share the servers and
# fixtures another folder's test defines (the SMTP server of the email tests,
# say), so every folder is importable by its modules' names.
sys.path[:0] = [
    str(folder)
    for folder in sorted(Path(__file__).parent.iterdir())
    if folder.is_dir() and any(folder.glob("test_*.py"))
]

ROOT = Path(__file__).resolve().parent.parent

# The docs examples' runners live in helper modules: their asserts explain themselves too.
pytest.register_assert_rewrite("docs_blocks", "docs_runner", "docs_guides", "docs_servers")
pytest.register_assert_rewrite("docs_migration")

# In CI (CI=true) hypothesis draws the same examples on every run, so main
# does not turn red by chance; elsewhere it searches anew each time.
hypothesis_settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


def missing_prerequisite(message: str) -> NoReturn:
    """A prerequisite of a test is missing: fail in CI (which must have it), skip elsewhere."""
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


#: The browser the page tests drive (Debian's package, which .ci/run installs).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: Where the page tests write their screenshots (ignored by git; look at them).
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output clean."""


@contextlib.contextmanager
def serving(app: Callable[..., Any]) -> Iterator[str]:
    """Serve the WSGI *app* from 127.0.0.1 in a thread; yields ``http://127.0.0.1:PORT``."""
    httpd: WSGIServer = make_server("127.0.0.1", 0, app, handler_class=_QuietHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless Chromium (Playwright); a missing one fails in CI.

    Per module: while Playwright's sync API is open its event loop runs in this
    thread, which later tests driving asyncio themselves must not find.
    """
    if not os.path.exists(CHROMIUM):
        missing_prerequisite(f"{CHROMIUM} is not installed (.ci/run installs it)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing_prerequisite("playwright is not installed (pip install '.[test]')")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def require_tool(name: str) -> str:
    """Return the path of the program *name*, or stop the test as :func:`missing_prerequisite`."""
    path = shutil.which(name)
    if path is None:
        missing_prerequisite(f"{name} is not installed (.ci/run installs it)")
    return path


def capture(
    func: Callable[[], object], *, keep_helper_frame: bool = False, **options: Any
) -> CollectedException:
    """Run *func* and collect what it raises (*options* go to ``collect_exception``).

    The traceback starts at this helper's frame; it is left out unless
    *keep_helper_frame*.
    """
    try:
        func()
    except BaseException as error:
        tb = error.__traceback__
        if tb is not None and not keep_helper_frame:
            tb = tb.tb_next
        return collect_exception(type(error), error, tb, **options)
    raise AssertionError("did not raise")


@pytest.fixture(scope="session")
def project_root() -> Path:
    """The checkout's top-level directory."""
    return ROOT


def catching(app: Callable[..., Any]) -> Callable[[dict[str, Any], Any], Any]:
    """*app* with ``paste.throw_errors`` unset, as WebTest sets it: the middleware answers."""

    def wrapper(environ: dict[str, Any], start_response: Any) -> Any:
        environ["paste.throw_errors"] = False
        return app(environ, start_response)

    return wrapper


class Closing:
    """An iterable that counts its close() calls and can fail where asked."""

    def __init__(
        self,
        chunks: list[bytes],
        *,
        fail_at: int | None = None,
        fail_close: bool = False,
    ) -> None:
        self.chunks = chunks
        self.fail_at = fail_at
        self.fail_close = fail_close
        self.closed = 0

    def __iter__(self) -> Iterator[bytes]:
        for index, chunk in enumerate(self.chunks):
            if index == self.fail_at:
                raise ValueError(f"failed at chunk {index}")
            yield chunk
        if self.fail_at == len(self.chunks):
            raise ValueError(f"failed at chunk {self.fail_at}")

    def close(self) -> None:
        self.closed += 1
        if self.fail_close:
            raise OSError("close failed")


@pytest.fixture(autouse=True, scope="session")
def _private_debug_secret(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Keep the debug token's secret file out of the user's cache directory.

    With debug on, the middleware derives its token from a secret file in the
    user's cache directory (``$XDG_CACHE_HOME/paste_exc``); the suite (and the
    servers it starts, which inherit the environment) use a directory of its own.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))
        patch.delenv("PASTE_EXC_DEBUG_TOKEN", raising=False)
        yield
