"""Respond: the PasteDeploy entry point (``egg:paste_exc#error_catcher``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

    from _typeshed.wsgi import WSGIApplication
from paste_exc.respond.wsgi.middleware import ErrorMiddleware

__all__ = ["make_error_middleware"]


def make_error_middleware(
    app: WSGIApplication, global_conf: Mapping[str, object] | None, **kw: object
) -> ErrorMiddleware:
    """PasteDeploy's ``error_catcher`` filter: ``ErrorMiddleware(app, global_conf, **kw)``.

    Every option arrives as an ini string and is coerced (see :doc:`configuration`).
    """
    return ErrorMiddleware(app, global_conf=global_conf, **kw)  # type: ignore[arg-type]
