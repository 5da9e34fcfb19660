"""The request data a report carries: the WSGI middleware's ``__traceback_supplement__``.

Part of the respond stage (WSGI). :class:`Supplement` is what
:class:`~paste_exc.errormiddleware.ErrorMiddleware` names in its frames (Paste's
name and signature). It is :class:`~paste_exc.collect.request.RequestSupplement`,
which shows the request's one :class:`~paste_exc.model.request.RequestInfo`,
taught to read a WSGI environ (:func:`~paste_exc.respond.wsgi.environ.request_info`)
for a report made outside the middleware's catch.
"""

from __future__ import annotations

from collections.abc import Mapping

from paste_exc.collect.request import RequestSupplement
from paste_exc.model.request import RequestInfo
from paste_exc.respond.wsgi.environ import request_info

__all__ = ["Supplement"]


class Supplement(RequestSupplement):
    """Request data for reports, in Paste's supplement shape (see :class:`RequestSupplement`).

    Its ``__init__`` is the collect stage's, so the collector calling it inside
    the middleware's catch never comes back up here.

    :param middleware: the middleware (its ``application`` is named in the report)
    :param environ: the request's environ (or its ``RequestInfo``)
    """

    @staticmethod
    def read(environ: object) -> RequestInfo:
        """Read the request of a report made outside the middleware's catch."""
        return request_info(environ) if isinstance(environ, Mapping) else RequestInfo()
