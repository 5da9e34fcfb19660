"""Model: the options of a collection, and the catch's options every collection of it takes.

Part of the model stage. :class:`CollectOptions` holds what a collection is
told beyond its limit and locals: ``context_lines`` (how many source lines
either side of the failing line are kept), ``app_packages`` (module prefixes
that are the application's even when installed in ``site-packages``) and
``library_paths`` (further path prefixes that are libraries; the rule is
:func:`paste_exc.collect.library.is_library`).

A catch that has options of its own (the middleware's) opens them with
:func:`collect_options`, so every collection of that catch, whoever asks for
it (the middleware, a reporter, an SDK backend), keeps the same lines and
draws the same line between application and library.

.. versionadded:: 0.1
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
from collections.abc import Iterator
from typing import Final

from paste_exc.config.debugpage import ascontextlines, aspackages, aspathprefixes
from paste_exc.model.report import CONTEXT_LINES

__all__ = ["DEFAULT_OPTIONS", "CollectOptions", "collect_options", "current_options"]


@dataclasses.dataclass(frozen=True, slots=True)
class CollectOptions:
    """What a collection keeps of the source and how it tells application from library.

    :param context_lines: source lines kept either side of the failing line
    :param app_packages: module prefixes that are the application's, wherever installed
    :param library_paths: path prefixes (directories) whose files are libraries'
    """

    context_lines: int = CONTEXT_LINES
    app_packages: tuple[str, ...] = ()
    library_paths: tuple[str, ...] = ()

    @classmethod
    def checked(
        cls,
        *,
        context_lines: object = None,
        app_packages: object = None,
        library_paths: object = None,
    ) -> CollectOptions:
        """Build the options from Python values or ini text, each checked (``None``: the default).

        :raises ConfigError: naming the option that is wrong
        """
        return cls(
            context_lines=CONTEXT_LINES
            if context_lines is None
            else ascontextlines(context_lines, "context_lines"),
            app_packages=aspackages(app_packages, "app_packages"),
            library_paths=aspathprefixes(library_paths, "library_paths"),
        )


#: The options of a collection that was given none.
DEFAULT_OPTIONS: Final = CollectOptions()

_current: contextvars.ContextVar[CollectOptions | None] = contextvars.ContextVar(
    "paste_exc_collect_options", default=None
)


def current_options() -> CollectOptions:
    """The options of the catch in progress (:func:`collect_options`), else the defaults."""
    return _current.get() or DEFAULT_OPTIONS


@contextlib.contextmanager
def collect_options(options: CollectOptions) -> Iterator[CollectOptions]:
    """Make *options* those of every collection started inside the ``with`` block.

    :param options: the options (a context variable holds them: other threads
        and tasks keep theirs)
    """
    token = _current.set(options)
    try:
        yield options
    finally:
        _current.reset(token)
