"""The ``paste-exc`` command line: serve a WSGI or ASGI application, or the demo, wrapped.

A thin layer over :class:`~paste_exc.errormiddleware.ErrorMiddleware` and
waitress, or with ``--asgi`` over :class:`~paste_exc.ASGIErrorMiddleware` and
uvicorn (``pip install 'paste_exc[asgi]'``)::

    paste-exc serve [--asgi] MODULE:APP [--debug] [--host 127.0.0.1] [--port 8080]
                                        [--error-log FILE] [--ini FILE]
    paste-exc demo [--asgi] [--host 127.0.0.1] [--port 8080] [--error-log FILE]

With debug on (``serve --debug``, ``debug = true`` in the ini file, and
always for ``demo``) it prints the address to open: the server's URL with
``?paste_exc_debug=<token>``, which unlocks the debug pages in that browser
(see :ref:`security`).

``--ini FILE`` reads middleware options (ini strings, as PasteDeploy would
hand them) from the ``[paste_exc]`` section of FILE, with its ``[DEFAULT]``
section as ``global_conf``; command-line flags win over the file.

.. versionadded:: 0.1
"""

from __future__ import annotations

import argparse
import configparser
import os
import socket
import sys
import tempfile
from typing import TYPE_CHECKING, Any, TextIO, cast

from paste_exc.demo import make_demo_app, make_demo_asgi_app
from paste_exc.errors import ConfigError
from paste_exc.report.registry import resolve_reference
from paste_exc.respond.access import unlock_url
from paste_exc.respond.asgi.middleware import ASGIErrorMiddleware
from paste_exc.respond.wsgi.middleware import ErrorMiddleware

if TYPE_CHECKING:
    from collections.abc import Sequence

    from _typeshed.wsgi import WSGIApplication

    from paste_exc.respond.asgi.messages import ASGIApp

__all__ = ["build_parser", "load_app", "main"]

INI_SECTION = "paste_exc"


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of ``paste-exc``."""
    parser = argparse.ArgumentParser(
        prog="paste-exc",
        description=(
            "Serve a WSGI application behind paste_exc's ErrorMiddleware (with waitress), "
            "or an ASGI one behind ASGIErrorMiddleware (--asgi, with uvicorn)."
        ),
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = commands.add_parser("serve", help="serve MODULE:APP wrapped in the middleware")
    serve.add_argument("app", metavar="MODULE:APP", help="the WSGI application, e.g. myapp:app")
    serve.add_argument(
        "--debug",
        action="store_true",
        help="show debug pages to the browser that opens the printed unlock URL",
    )
    demo = commands.add_parser("demo", help="serve the demo application (debug on)")
    for sub in (serve, demo):
        sub.add_argument(
            "--asgi",
            action="store_true",
            help="an ASGI application, served with uvicorn (pip install 'paste_exc[asgi]')",
        )
        sub.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
        sub.add_argument("--port", type=int, default=8080, help="port to listen on (8080; 0: any)")
        sub.add_argument("--error-log", metavar="FILE", help="append the text reports to FILE")
    serve.add_argument("--ini", metavar="FILE", help="middleware options from [paste_exc] of FILE")
    return parser


def load_app(reference: str) -> WSGIApplication:
    """Import ``module:attribute`` (the attribute may be dotted) and return it.

    :raises ConfigError: when the reference is malformed, the module cannot be
        imported, or the object is not callable
    """
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
    target = resolve_reference(reference, option="MODULE:APP")
    if not callable(target):
        raise ConfigError("MODULE:APP", f"{reference!r} is not a WSGI application (not callable)")
    return target


def _ini_options(path: str) -> tuple[dict[str, str], dict[str, str]]:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        with open(path, encoding="utf-8") as handle:
            parser.read_file(handle)
    except (OSError, configparser.Error) as exc:
        raise ConfigError("--ini", f"cannot read {path!r}: {exc}") from exc
    global_conf = dict(parser.defaults())
    if not parser.has_section(INI_SECTION):
        return global_conf, {}
    options = {
        key: value
        for key, value in parser.items(INI_SECTION, raw=True)
        if key not in global_conf or parser.get(INI_SECTION, key, raw=True) != global_conf[key]
    }
    return global_conf, options


def _print_banner(app: object, host: str, port: int, out: TextIO, error_log: str | None) -> None:
    """The lines both modes print: where to go, how to unlock, where the reports go."""
    shown_host = f"[{host}]" if ":" in host else host
    print(f"Serving on http://{shown_host}:{port}/", file=out)
    token = getattr(app, "debug_token", None)
    if isinstance(token, str):
        print(
            f"Open {unlock_url(host, port, token)} in your browser to see debug pages "
            "(it sets a cookie that unlocks them there; other clients get the safe page)",
            file=out,
        )
    if error_log:
        print(f"Error reports are appended to {error_log}", file=out)
    print("Press Ctrl-C to stop.", file=out, flush=True)


def _serve(app: WSGIApplication, host: str, port: int, out: TextIO, error_log: str | None) -> int:
    try:
        import waitress
    except ImportError:
        print("paste-exc needs waitress: pip install 'paste_exc[serve]'", file=sys.stderr)
        return 1
    try:
        server = waitress.create_server(app, host=host, port=port, threads=4)
    except OSError as exc:
        print(f"paste-exc: cannot listen on {host}:{port}: {exc}", file=sys.stderr)
        return 1
    _print_banner(app, host, int(server.effective_port), out, error_log)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    return 0


def _serve_asgi(
    app: ASGIErrorMiddleware, host: str, port: int, out: TextIO, error_log: str | None
) -> int:
    """Serve *app* with uvicorn on a socket bound here (so port 0's choice is printed first)."""
    try:
        import uvicorn
    except ImportError:
        print("paste-exc --asgi needs uvicorn: pip install 'paste_exc[asgi]'", file=sys.stderr)
        return 1
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        # Listening before the banner: a client that reads it and connects at once waits
        # in the backlog until uvicorn accepts, instead of being refused.
        listener.listen(2048)
    except OSError as exc:
        listener.close()
        print(f"paste-exc: cannot listen on {host}:{port}: {exc}", file=sys.stderr)
        return 1
    _print_banner(app, host, int(listener.getsockname()[1]), out, error_log)
    # Our report is the error's log: uvicorn's own access lines are enough of its output.
    config = uvicorn.Config(app, lifespan="auto", log_level="info", access_log=True)
    try:
        uvicorn.Server(config).run(sockets=[listener])
    except KeyboardInterrupt:
        pass
    finally:
        listener.close()
    return 0


def _build(args: argparse.Namespace) -> tuple[WSGIApplication | ASGIErrorMiddleware, str | None]:
    """The application the command serves, wrapped, and the log its reports go to."""
    if args.command == "demo":
        error_log = args.error_log or os.path.join(
            tempfile.gettempdir(), "paste-exc-demo-errors.log"
        )
        if args.asgi:
            return make_demo_asgi_app(error_log=error_log), error_log
        return make_demo_app(error_log=error_log), error_log
    global_conf: dict[str, str] = {}
    options: dict[str, Any] = {}
    if args.ini:
        global_conf, ini_options = _ini_options(args.ini)
        options.update(ini_options)
    if args.debug:
        options["debug"] = True
    if args.error_log:
        options["error_log"] = args.error_log
    error_log = options.get("error_log")
    target = load_app(args.app)
    if args.asgi:
        # load_app checked only that it is callable: an ASGI app as much as a WSGI one.
        return ASGIErrorMiddleware(
            cast("ASGIApp", target), global_conf=global_conf, **options
        ), error_log
    return ErrorMiddleware(target, global_conf, **options), error_log


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``paste-exc``; return the exit status."""
    args = build_parser().parse_args(argv)
    try:
        app, error_log = _build(args)
    except ConfigError as exc:
        print(f"paste-exc: {exc}", file=sys.stderr)
        return 2
    if isinstance(app, ASGIErrorMiddleware):
        return _serve_asgi(app, args.host, args.port, sys.stdout, error_log)
    return _serve(app, args.host, args.port, sys.stdout, error_log)
