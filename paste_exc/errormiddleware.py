"""Respond: the WSGI middleware that catches, reports and answers an application's errors.

This module path is kept for code written against it; the names live in:

* :mod:`paste_exc.config.settings`
* :mod:`paste_exc.respond.pastehelpers`
* :mod:`paste_exc.respond.wsgi.iterable`
* :mod:`paste_exc.respond.wsgi.middleware`
* :mod:`paste_exc.respond.wsgi.request`
"""

from paste_exc.config.settings import (
    NoDefault as NoDefault,
)
from paste_exc.respond.deploy import make_error_middleware as make_error_middleware
from paste_exc.respond.pastehelpers import (
    error_template as error_template,
    send_report as send_report,
)
from paste_exc.respond.script import handle_exception as handle_exception
from paste_exc.respond.wsgi.iterable import (
    CatchingIter as CatchingIter,
    ResponseStartChecker as ResponseStartChecker,
)
from paste_exc.respond.wsgi.middleware import ErrorMiddleware as ErrorMiddleware, log as log
from paste_exc.respond.wsgi.request import (
    Supplement as Supplement,
)

__all__ = [
    "CatchingIter",
    "ErrorMiddleware",
    "NoDefault",
    "ResponseStartChecker",
    "Supplement",
    "error_template",
    "handle_exception",
    "make_error_middleware",
    "send_report",
]
