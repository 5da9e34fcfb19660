"""Format: cut every text of a report past a limit, counting the texts it cut.

Part of the format stage. Two folding steps of :mod:`paste_exc.format.foldsteps`
cut texts: the long values (to :data:`~paste_exc.format.foldsteps.SHORT_VALUE`
characters) and the outline (every text). :class:`Cutter` walks one
exception's frames, locals, supplements, notes and extra data and makes the
cut copy (the dataclasses are frozen); each cut text ends with the marker of
:func:`~paste_exc.redact.saferepr.truncate_text`, and a text already cut to the
limit is left as it is.
"""

from __future__ import annotations

import dataclasses
from typing import Final

from paste_exc.model.report import (
    CollectedException,
    ExceptionFrame,
    ExtraKey,
    ExtraRepr,
    ExtraValue,
    LocalVariable,
    SupplementaryData,
)
from paste_exc.redact.saferepr import MARKER, truncate_text

__all__ = ["Cutter"]

#: How deep the cutter looks into an extra-data value (the collector copies 4 levels).
_MAX_EXTRA_DEPTH: Final = 8


class Cutter:
    """Cuts texts past a limit, counting how many it cut."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.count = 0

    def text(self, value: str) -> str:
        if not isinstance(value, str) or len(value) <= self.limit:
            return value
        if value.startswith(MARKER, self.limit):  # cut to this limit already
            return value
        self.count += 1
        return truncate_text(value, self.limit)

    def optional(self, value: str | None) -> str | None:
        return None if value is None else self.text(value)

    def texts(self, values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(self.text(value) for value in values)

    def extra_value(self, value: object, depth: int = 0) -> ExtraValue:
        """*value* with its long strings cut, of the same types (an ExtraRepr stays one)."""
        if isinstance(value, ExtraRepr):
            return ExtraRepr(self.text(str.__str__(value)))
        if isinstance(value, str):
            return self.text(value)
        if depth > _MAX_EXTRA_DEPTH:
            return value  # type: ignore[return-value]  # deeper than the collector copies
        if type(value) is dict:
            return {name: self.extra_value(item, depth + 1) for name, item in value.items()}
        if type(value) is list:
            return [self.extra_value(item, depth + 1) for item in value]
        if type(value) is tuple:
            return tuple(self.extra_value(item, depth + 1) for item in value)
        return value  # type: ignore[return-value]  # left as a decorator made it

    def extra_data(
        self, extra: dict[ExtraKey, list[ExtraValue]]
    ) -> dict[ExtraKey, list[ExtraValue]]:
        raw: object = extra  # a decorator may have put anything here
        if not isinstance(raw, dict):
            return extra
        result: dict[ExtraKey, list[ExtraValue]] = {}
        for key, values in raw.items():
            items: object = values
            result[key] = (
                [self.extra_value(item) for item in items] if isinstance(items, list) else values
            )
        return result

    def supplement(self, sup: SupplementaryData | None) -> SupplementaryData | None:
        if sup is None:
            return None
        return dataclasses.replace(
            sup,
            object=self.optional(sup.object),
            expression=self.optional(sup.expression),
            info=self.optional(sup.info),
            warnings=self.texts(tuple(sup.warnings)),
        )

    def frame(self, frame: ExceptionFrame) -> ExceptionFrame:
        local_vars = frame.locals
        if local_vars:
            local_vars = tuple(
                LocalVariable(var.name, self.text(var.value), var.redacted) for var in local_vars
            )
        return dataclasses.replace(
            frame,
            locals=local_vars,
            traceback_info=self.optional(frame.traceback_info),
            traceback_log=self.optional(frame.traceback_log),
            supplement_exception=self.optional(frame.supplement_exception),
            supplement=self.supplement(frame.supplement),
        )

    def exception(self, exc: CollectedException) -> CollectedException:
        return dataclasses.replace(
            exc,
            frames=tuple(self.frame(frame) for frame in exc.frames),
            notes=self.texts(tuple(exc.notes)),
            extra_data=self.extra_data(exc.extra_data),
            reporter_errors=self.texts(tuple(exc.reporter_errors)),
        )
