"""The plug-in interfaces: exception reporters and extras providers.

These mirror the interfaces of ``asphalt-exceptions`` so that reporters and
providers written for it port with a change of import. Paste's
:class:`paste_exc.reporter.Reporter` family implements
:class:`ExceptionReporter` too, so built-in reporters and SDK backends sit side
by side in one ``reporters`` configuration.

In a WSGI request the *ctx* argument is the request's environ; in scripts it is
``None`` or any mapping the caller chose.
"""

from __future__ import annotations

from abc import ABCMeta, abstractmethod
from collections.abc import Mapping

__all__ = ["ExceptionReporter", "ExtrasProvider"]


class ExceptionReporter(metaclass=ABCMeta):
    """A destination for exception reports (a mailbox, a file, a service)."""

    @abstractmethod
    def report_exception(
        self,
        ctx: Mapping[str, object] | None,
        exception: BaseException,
        message: str,
        extra: dict[str, object],
    ) -> None:
        """Deliver a report of *exception*.

        Implementations that talk to the network should hand the work to a
        queue rather than block the caller.

        :param ctx: where the exception happened: the WSGI environ in a request,
            otherwise ``None`` or a mapping chosen by the caller
        :param exception: the exception being reported
        :param message: a free-form sentence describing what was going on
        :param extra: backend-specific data gathered from the extras providers
        """


class ExtrasProvider(metaclass=ABCMeta):
    """A source of extra, backend-specific data for reports."""

    @abstractmethod
    def get_extras(
        self, ctx: Mapping[str, object] | None, reporter: ExceptionReporter
    ) -> dict[str, object] | None:
        """Return extra data for *reporter*, or ``None`` to add nothing.

        Check the reporter's type and answer in the shape that backend expects
        (for example Sentry's ``tags``, ``user`` or ``contexts``).

        :param ctx: where the exception happened (see :class:`ExceptionReporter`)
        :param reporter: the reporter about to receive the report
        """
