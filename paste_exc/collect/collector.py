"""Collect: turn a live exception into plain, inert data.

Stage one of the pipeline (catch → **collect** → format → report → respond).
:func:`collect_exception` walks a traceback once and returns a
:class:`CollectedException`: frozen dataclasses holding only strings, numbers
and tuples, never a frame, traceback, exception or live local, so the result
can be queued, pickled, JSON-encoded (:meth:`CollectedException.as_json_dict`)
or handed to another thread.

Frames are ordered **outermost first, innermost last** (the order Python prints
them). Paste's docstring said the opposite; Paste's code did this.

Collection never raises: a hostile object yields a placeholder and a sentence
in :attr:`CollectedException.collection_notes`. See :doc:`/collector`.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Mapping
from types import TracebackType
from typing import TYPE_CHECKING

from paste_exc.collect.ident import hash_identifier, make_identifier
from paste_exc.config.convert import asseconds
from paste_exc.config.settings import LOCALS_TIME_BUDGET
from paste_exc.errors import ConfigError
from paste_exc.model.options import CollectOptions, current_options
from paste_exc.model.values import IMPORTANCE_LEVELS
from paste_exc.redact.engine import Redactor, default_redactor
from paste_exc.redact.saferepr import safe_repr, safe_str

if TYPE_CHECKING:
    from paste_exc.collect.frames import Walk
from paste_exc.collect.chain import collect_one, exception_only, fallback
from paste_exc.collect.environment import collect_environment
from paste_exc.collect.frames import Entry, Walk, build_frame
from paste_exc.collect.magic import run_reporters as call_frame_reporters
from paste_exc.collect.supplement import collect_supplement, supplement_data
from paste_exc.model.report import (
    DEBUG_EXCEPTION_FORMATTER,
    DEBUG_IDENT_PREFIX,
    INFO_LIMIT,
    NAME_LIMIT,
    VALUE_LIMIT,
    CollectedException,
    ExtraKey,
    ExtraValue,
    SupplementaryData,
)

__all__ = [
    "IMPORTANCE_LEVELS",
    "LOCALS_TIME_BUDGET",
    "Bunch",
    "ExceptionCollector",
    "collect_exception",
    "hash_identifier",
    "make_identifier",
]


# -- the collector ----------------------------------------------------------------------


class ExceptionCollector:
    """Turn ``(type, value, traceback)`` into a :class:`CollectedException`.

    Paste's class and camelCase methods, with keyword-only additions. The
    magic variables it reads, the bounds it applies and the guarantees it
    gives are documented in :doc:`/collector`.

    :param limit: the most traceback entries to keep (Python's meaning: a
        negative limit keeps the innermost ones); ``None`` uses
        :data:`sys.tracebacklimit`, else :data:`DEFAULT_LIMIT` frames after
        folding recursion
    :param collect_locals: record each frame's locals (bounded, redacted)
    :param redactor: the :class:`~paste_exc.redact.Redactor` for locals,
        mappings and texts (default: :data:`paste_exc.redact.default_redactor`)
    :param locals_time_budget: seconds the ``repr()`` of locals may take per
        report (``None``: :data:`LOCALS_TIME_BUDGET`); after that, locals are
        named with :data:`LOCALS_TIME_PLACEHOLDER` and a collection note says so
    :param context_lines: source lines kept either side of the failing line;
        ``app_packages``, ``library_paths``: see :class:`~paste_exc.model.options.CollectOptions`
        (``None``, all three: those of the catch in progress, else the defaults)
    :raises paste_exc.errors.ConfigError: for a limit that is not an integer,
        a budget that is not a finite number of seconds >= 0, or a bad
        ``context_lines``, ``app_packages`` or ``library_paths``
    """

    #: Paste's switch: record ``__revision__``/``__version__`` of modules.
    show_revisions = False

    def __init__(
        self,
        limit: int | None = None,
        *,
        collect_locals: bool = False,
        redactor: Redactor | None = None,
        locals_time_budget: float | None = None,
        context_lines: int | None = None,
        app_packages: tuple[str, ...] | list[str] | None = None,
        library_paths: tuple[str, ...] | list[str] | None = None,
    ) -> None:
        if not _is_limit(limit):
            raise ConfigError("limit", f"expected an integer or None, got {safe_repr(limit, 100)}")
        self.limit = limit
        self.collect_locals = collect_locals
        self.redactor = redactor if redactor is not None else default_redactor
        self.locals_time_budget = (
            LOCALS_TIME_BUDGET
            if locals_time_budget is None
            else asseconds(locals_time_budget, "locals_time_budget")
        )
        #: The options given here; ``None`` takes those of the catch in progress.
        self.given_options: CollectOptions | None = None
        if context_lines is not None or app_packages is not None or library_paths is not None:
            self.given_options = CollectOptions.checked(
                context_lines=context_lines, app_packages=app_packages, library_paths=library_paths
            )

    # Paste's API --------------------------------------------------------------------

    def getLimit(self) -> int | None:
        """Return the limit: the constructor's, else :data:`sys.tracebacklimit`."""
        if self.limit is not None:
            return self.limit
        value = getattr(sys, "tracebacklimit", None)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        return None

    def getRevision(self, globals: Mapping[str, object]) -> str | None:
        """Return a module's ``__revision__`` (or ``__version__``) as text.

        Only when :attr:`show_revisions` is true, as in Paste.

        :param globals: the module's globals
        """
        if not self.show_revisions:
            return None
        try:
            revision = globals.get("__revision__")
            if revision is None:
                revision = globals.get("__version__")
        except Exception:  # noqa: BLE001
            return "???"
        if revision is None:
            return None
        return safe_str(revision, NAME_LIMIT).strip()

    def safeStr(self, obj: object) -> str:
        """Return a bounded ``str()`` of *obj* that never raises.

        :param obj: any object
        """
        return safe_str(obj, VALUE_LIMIT)

    def collectExceptionOnly(
        self, etype: type[BaseException] | None, value: BaseException | None
    ) -> list[str]:
        """Return the lines of :func:`traceback.format_exception_only`, safely.

        :param etype: the exception class
        :param value: the exception
        """
        return exception_only(etype, value, self.redactor)

    def collectSupplement(
        self, supplement: object, tb: TracebackType | None = None
    ) -> SupplementaryData:
        """Copy the fixed attributes of a supplement object into plain data.

        Errors are swallowed here; :meth:`collectLine` records them.

        :param supplement: the object a ``__traceback_supplement__`` factory made
        :param tb: unused (Paste's signature)
        """
        return supplement_data(supplement, [], self.redactor, DEBUG_EXCEPTION_FORMATTER)

    def collectLine(
        self, tb: TracebackType, extra_data: dict[ExtraKey, list[ExtraValue]]
    ) -> dict[str, object]:
        """Collect one traceback entry; return the fields of an :class:`ExceptionFrame`.

        Supplement extra data is appended to *extra_data*, as in Paste.

        :param tb: the traceback entry
        :param extra_data: the report's extra data, updated in place
        """
        frame, _ = build_frame(Entry(tb), self._new_walk(), extra_data)
        return {f.name: getattr(frame, f.name) for f in dataclasses.fields(frame)}

    def collectException(
        self,
        etype: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
        limit: int | None = None,
    ) -> CollectedException:
        """Collect an exception; never raise.

        ``__traceback_reporter__`` reporters found in the frames get the
        finished report before it is returned.

        :param etype: the exception class, as from :func:`sys.exc_info`
        :param value: the exception
        :param tb: its traceback
        :param limit: overrides the collector's limit for this call
        """
        return self.collect(etype, value, tb, limit)

    # the snake_case spelling ----------------------------------------------------------

    def collect(
        self,
        etype: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
        limit: int | None = None,
        *,
        run_reporters: bool = True,
        supplement: object = None,
    ) -> CollectedException:
        """Collect an exception; never raise (the snake_case spelling).

        :param etype: the exception class
        :param value: the exception
        :param tb: its traceback
        :param limit: overrides the collector's limit for this call
        :param run_reporters: hand the report to ``__traceback_reporter__``
            reporters (:func:`collected_data` collects a second time without)
        :param supplement: a ``(factory, *args)`` supplement giving the request
            data when no frame of the traceback does (an exception the
            application caught and passed to ``report_exception(environ, ...)``)
        """
        __exception_formatter__ = 1  # noqa: F841 - Paste's marker against recursion
        notes: list[str] = []
        if not _is_limit(limit):
            notes.append(f"the limit {safe_repr(limit, 50)} is not an integer; ignored")
            limit = None
        if limit is None:
            limit = self.getLimit()
        walk = self._new_walk()
        try:
            result = collect_one(etype, value, tb, limit, walk, notes)
        except Exception as error:  # noqa: BLE001
            result = fallback(etype, error, walk, value, tb)
        if supplement is not None and result.request_url is None:
            result = _with_request(result, supplement, walk)
        if walk.locals_unrepresented or walk.locals_partial:
            note = locals_budget_note(
                walk.locals_unrepresented, walk.locals_partial, walk.locals_budget
            )
            result = dataclasses.replace(result, collection_notes=(*result.collection_notes, note))
        result = dataclasses.replace(result, environment=collect_environment(result, walk.redactor))
        errors = call_frame_reporters(result, walk.reporters) if run_reporters else []
        if errors:
            result = dataclasses.replace(result, reporter_errors=tuple(errors))
        return result

    def _new_walk(self) -> Walk:
        return Walk(
            redactor=self.redactor,
            collect_locals=self.collect_locals,
            locals_budget=self.locals_time_budget,
            revision=self.getRevision,
            ident_prefix=DEBUG_IDENT_PREFIX,
            error_tracebacks=DEBUG_EXCEPTION_FORMATTER,
            options=self.given_options or current_options(),
        )


def _with_request(result: CollectedException, supplement: object, walk: Walk) -> CollectedException:
    """Add the request data of *supplement* to a report whose frames gave none."""
    try:
        data, error_text = collect_supplement(supplement, walk.redactor, walk.error_tracebacks)
    except Exception as error:  # noqa: BLE001 (collect_supplement guards; belt and braces)
        data, error_text = None, safe_str(error, INFO_LIMIT)
    if data is None:
        note = "the request data could not be collected"
        if error_text:
            note += f": {error_text.strip().splitlines()[-1]}"
        return dataclasses.replace(result, collection_notes=(*result.collection_notes, note))
    extra_data = {key: list(values) for key, values in result.extra_data.items()}
    for key, value in (data.extra or {}).items():
        extra_data.setdefault(key, []).append(value)
    return dataclasses.replace(
        result,
        extra_data=extra_data,
        request_method=data.request_method,
        request_url=data.source_url,
    )


def locals_budget_note(unrepresented: int, partial: int, budget: float) -> str:
    """The collection note of a report whose locals outran their time budget.

    :param unrepresented: locals named without a value
    :param partial: locals whose container items were not all represented
    :param budget: the budget, in seconds
    """
    parts = []
    if unrepresented:
        noun = "local is" if unrepresented == 1 else "locals are"
        parts.append(f"{unrepresented} later {noun} named without a value")
    if partial:
        noun = "local shows" if partial == 1 else "locals show"
        parts.append(f"{partial} {noun} only the items represented in time")
    return (
        f"the time budget for local variables ({budget:g} s per report) was spent: "
        f"{' and '.join(parts)}; a single slow repr() cannot be interrupted, so one "
        "local may take longer than the whole budget"
    )


def _is_limit(value: object) -> bool:
    return value is None or (isinstance(value, int) and not isinstance(value, bool))


class Bunch:
    """Paste's generic attribute container, kept for code that built its own data.

    ``Bunch(a=1).a == 1``. The collector's own results are dataclasses.
    """

    def __init__(self, **attrs: object) -> None:
        for name, value in attrs.items():
            setattr(self, name, value)

    def __repr__(self) -> str:
        items = " ".join(
            f"{name}={safe_str(value, 30)!r}"
            for name, value in vars(self).items()
            if not name.startswith("_")
        )
        return f"<{type(self).__name__} {items}>"


# -- the module-level API -----------------------------------------------------------------

#: Paste's module-level collector.
col = ExceptionCollector()


def collect_exception(
    t: type[BaseException] | None,
    v: BaseException | None,
    tb: TracebackType | None,
    limit: int | None = None,
    *,
    collect_locals: bool = False,
    redactor: Redactor | None = None,
    locals_time_budget: float | None = None,
    context_lines: int | None = None,
    app_packages: tuple[str, ...] | list[str] | None = None,
    library_paths: tuple[str, ...] | list[str] | None = None,
) -> CollectedException:
    """Collect an exception from :func:`sys.exc_info`; never raise.

    ::

        try:
            do_something()
        except Exception:
            exc_data = collect_exception(*sys.exc_info())

    :param t: the exception class
    :param v: the exception
    :param tb: the traceback
    :param limit: the most traceback entries to keep (see :class:`ExceptionCollector`)
    :param collect_locals: record each frame's locals, bounded and redacted
    :param redactor: the redactor to use (default: the module's default one)
    :param locals_time_budget: seconds for the locals' ``repr()`` (see
        :class:`ExceptionCollector`)
    :param context_lines: as ``app_packages`` and ``library_paths``: see
        :class:`ExceptionCollector`
    """
    collector = col
    options = (locals_time_budget, context_lines, app_packages, library_paths)
    if collect_locals or redactor is not None or any(o is not None for o in options):
        collector = ExceptionCollector(
            collect_locals=collect_locals,
            redactor=redactor,
            locals_time_budget=locals_time_budget,
            context_lines=context_lines,
            app_packages=app_packages,
            library_paths=library_paths,
        )
    return collector.collect(t, v, tb, limit)
