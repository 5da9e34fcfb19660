"""Trace: how often one failing request changes pipeline stage inside paste_exc.

One failing request goes through :class:`~paste_exc.errormiddleware.ErrorMiddleware`
(debug off, so the safe page; ``error_log`` to a temporary file, delivered in
the request's thread; an application error four frames deep; a remote client,
``REMOTE_ADDR=203.0.113.9``, with a browser's ordinary headers and a cookie).
:func:`sys.setprofile` sees every Python call and return; after each one that
enters or leaves a function of paste_exc, the stage of the innermost paste_exc
frame still running is written down. A *stage change* is an entry whose stage
differs from the one before it.

The stage of a module:

* the first folder under ``paste_exc/`` (``model``, ``collect``, ``format``,
  ``report``, ``respond``, ``config``, ``redact``);
* ``process.py`` is ``process``; ``errors.py`` and ``api.py`` are ``base``;
  the package root and the rest of its top-level modules (Paste's
  ``collector``, ``formatter``, ``reporter``, ``errormiddleware``, ...) are
  ``api``;
* a flat layout (before the stage folders; run it on such a checkout with
  ``PYTHONPATH=<checkout>``) has no folder: the first word of the module's
  docstring names the stage (``Collect:``, ``Format:``, ``Report:``,
  ``Respond:``, ``Catch:``, ``Configuration:``, ``Redaction:``); the few
  modules whose docstring names none get the stage of the folder their code
  lives in now (:data:`FLAT_MODULES`).

Two counts are printed: every stage (``model``, ``config``, ``redact`` and
``base`` included), and the pipeline alone (those four "beneath" stages left
out of the sequence, so a call down into the redactor and back is no change),
each with the sequence compressed: a stage and the length of its run.

Run: ``.venv/bin/python bench/trace_stages.py`` (``--all`` prints the
sequence of every stage too, which is long: the redactor is called per value).
"""

from __future__ import annotations

import argparse
import ast
import io
import os
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from types import FrameType
from typing import Any

warnings.simplefilter("ignore", DeprecationWarning)

import paste_exc  # noqa: E402
from paste_exc.errormiddleware import ErrorMiddleware  # noqa: E402

try:  # the stage folders
    from paste_exc.report.delivery import synchronous_delivery
except ImportError:  # the flat layout
    from paste_exc.delivery import synchronous_delivery  # type: ignore[no-redef]

PACKAGE = Path(paste_exc.__file__).resolve().parent
FOLDERS = ("model", "collect", "format", "report", "respond", "config", "redact")
BENEATH = frozenset({"model", "config", "redact", "base"})
#: The first word of a flat module's docstring -> its stage.
DOCSTRING_WORDS = {
    "Model:": "model",
    "Collect:": "collect",
    "Format:": "format",
    "Report:": "report",
    "Respond:": "respond",
    "Catch:": "process",
    "Configuration:": "config",
    "Redaction:": "redact",
}
#: Flat modules whose docstring names no stage: the stage of their code's folder now.
FLAT_MODULES = {
    "errors": "base",
    "api": "base",
    "_failurelog": "base",  # now in errors.py
    "_floodstores": "report",
    "_namedvalues": "redact",
    "_redactpatterns": "redact",
    "_saferepr": "redact",
    "_request": "respond",
    "_responses": "respond",
    "_wsgiiter": "respond",
    "debugaccess": "respond",
    "debugtoken": "respond",
    "negotiate": "respond",
}
ROOT_BASE = frozenset({"errors", "api"})
ROOT_PROCESS = frozenset({"process"})


def _docstring_stage(path: Path) -> str | None:
    try:
        docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return None
    words = (docstring or "").split()
    return DOCSTRING_WORDS.get(words[0]) if words else None


def stage_of_file(filename: str, cache: dict[str, str | None]) -> str | None:
    """The stage of the module in *filename*, or None outside paste_exc."""
    if filename in cache:
        return cache[filename]
    stage: str | None = None
    path = Path(filename).resolve()
    if path.is_relative_to(PACKAGE):
        parts = path.relative_to(PACKAGE).parts
        in_folder = len(parts) > 1 and parts[0] in FOLDERS
        stage = parts[0] if in_folder else _flat_stage(path, parts)
    cache[filename] = stage
    return stage


def _flat_stage(path: Path, parts: tuple[str, ...]) -> str:
    name = path.stem
    if len(parts) == 1 and name in ROOT_BASE:
        return "base"
    if len(parts) == 1 and name in ROOT_PROCESS:
        return "process"
    if (PACKAGE / "collect").is_dir():  # the stage folders: the root re-exports
        return "api"
    if name == "__init__" and len(parts) == 1:
        return "api"
    return _docstring_stage(path) or FLAT_MODULES.get(name) or "api"


def trace(run: Callable[[], object]) -> list[str]:
    """The stage of the innermost running paste_exc frame after each call and return."""
    cache: dict[str, str | None] = {}
    sequence: list[str] = []

    def innermost(frame: FrameType | None) -> str | None:
        while frame is not None:
            stage = stage_of_file(frame.f_code.co_filename, cache)
            if stage is not None:
                return stage
            frame = frame.f_back
        return None

    def profile(frame: FrameType, event: str, arg: object) -> None:
        if event not in ("call", "return"):
            return  # C calls do not change the running Python frame
        if stage_of_file(frame.f_code.co_filename, cache) is None:
            return  # outside paste_exc: the innermost paste_exc frame is unchanged
        stage = innermost(frame if event == "call" else frame.f_back)
        if stage is not None:
            sequence.append(stage)

    sys.setprofile(profile)
    try:
        run()
    finally:
        sys.setprofile(None)
    return sequence


def compress(sequence: Iterable[str]) -> list[tuple[str, int]]:
    """Runs of one stage: ``[("respond", 12), ("collect", 40), ...]``."""
    runs: list[tuple[str, int]] = []
    for stage in sequence:
        if runs and runs[-1][0] == stage:
            runs[-1] = (stage, runs[-1][1] + 1)
        else:
            runs.append((stage, 1))
    return runs


def changes(sequence: list[str]) -> int:
    return max(len(compress(sequence)) - 1, 0)


def _level_3() -> None:
    raise LookupError("no umbrella for order 42")


def _level_2() -> None:
    _level_3()


def _level_1() -> None:
    _level_2()


def failing_app(environ: dict[str, Any], start_response: Callable[..., object]) -> list[bytes]:
    """Four frames of the application: this one, then three more, the last raising."""
    _level_1()
    return [b"never"]


def warm_up_app(environ: dict[str, Any], start_response: Callable[..., object]) -> list[bytes]:
    raise KeyError("warm-up")  # another error: first-use imports and caches are done


def environ() -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": "/orders/42",
        "QUERY_STRING": "page=2",
        "SERVER_NAME": "shop.example",
        "SERVER_PORT": "443",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.9",
        "HTTP_HOST": "shop.example",
        "HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
        "HTTP_ACCEPT": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        "HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.7",
        "HTTP_ACCEPT_ENCODING": "gzip, deflate, br",
        "HTTP_COOKIE": "session=8f2c1e0b9d7a4c3e; theme=dark",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "https",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }


def answer(app: Callable[..., Iterable[bytes]], environ: dict[str, Any]) -> tuple[str, bytes]:
    """Call *app*, read its body and close it: the last status it started, and the body."""
    statuses: list[str] = []

    def start_response(status: str, headers: list[Any], exc_info: Any = None) -> None:
        statuses.append(status)

    body = app(environ, start_response)
    try:
        data = b"".join(body)
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()
    return (statuses[-1] if statuses else ""), data


def request(app: Callable[..., Iterable[bytes]]) -> Callable[[], bytes]:
    def run() -> bytes:
        status, data = answer(app, environ())
        if not status.startswith("500"):
            raise AssertionError(f"expected a 500 answer, got {status!r}")
        return data

    return run


def _runs(runs: list[tuple[str, int]]) -> Iterator[str]:
    for stage, count in runs:
        yield f"{stage} \N{MULTIPLICATION SIGN}{count}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="print every stage's sequence too")
    args = parser.parse_args()
    layout = "stage folders" if (PACKAGE / "collect").is_dir() else "flat modules"
    with tempfile.TemporaryDirectory() as directory:
        log = os.path.join(directory, "errors.log")
        with synchronous_delivery():
            request(ErrorMiddleware(warm_up_app, {}, debug=False, error_log=log))()
            sequence = trace(request(ErrorMiddleware(failing_app, {}, debug=False, error_log=log)))
        logged = Path(log).read_text(encoding="utf-8")
    if "no umbrella for order 42" not in logged:
        raise AssertionError("the traced request's report is not in the error log")
    pipeline = [stage for stage in sequence if stage not in BENEATH]
    print(f"paste_exc at {PACKAGE} ({layout})")
    print(f"one failing request: {len(sequence)} calls and returns inside paste_exc")
    print(f"stage changes, every stage:        {changes(sequence)}")
    print(f"stage changes, pipeline stages:    {changes(pipeline)}")
    print("  (model, config, redact, base left out of the sequence)")
    print("pipeline sequence: " + " -> ".join(_runs(compress(pipeline))))
    if args.all:
        print("every stage: " + " -> ".join(_runs(compress(sequence))))


if __name__ == "__main__":
    main()
