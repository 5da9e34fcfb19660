"""Collect: ``__traceback_supplement__`` objects, copied into plain data.

A frame's ``__traceback_supplement__ = (factory, *args)`` names an object
(``factory(*args)``) whose fixed attributes, ``getInfo()`` and ``extraData()``
describe the frame (Zope's and Paste's protocol; the attributes are listed in
:doc:`/collector`). Everything read is bounded and redacted; an error of the
supplement becomes text, never an exception. Used by :mod:`paste_exc.collect.walk`
and :meth:`paste_exc.collector.ExceptionCollector.collectSupplement`.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any, cast

from paste_exc.collect.magic import error_summary, error_text, is_a
from paste_exc.collect.request import RequestSupplement
from paste_exc.model.plain import plain_copy
from paste_exc.model.report import (
    INFO_LIMIT,
    MAX_SEQUENCE,
    MAX_WARNINGS,
    NAME_LIMIT,
    REPR_LIMIT,
    ExtraKey,
    ExtraRepr,
    ExtraValue,
    SupplementaryData,
)
from paste_exc.redact.engine import REDACTED, Redactor
from paste_exc.redact.saferepr import safe_repr, safe_str

__all__ = []

#: The plain attributes copied from a supplement object.
_ATTRIBUTES = ("object", "source_url", "line", "column", "expression", "warnings", "request_method")


def collect_supplement(
    spec: object, redactor: Redactor, with_traceback: bool
) -> tuple[SupplementaryData | None, str | None]:
    """Call a ``__traceback_supplement__`` factory and copy what it made.

    :param spec: the variable's value, ``(factory, *args)``
    :param redactor: redacts every text read
    :param with_traceback: write errors as tracebacks (Paste's
        ``DEBUG_EXCEPTION_FORMATTER``), else as one line
    :returns: the data (``None`` when the factory failed) and the errors met,
        as text (``None`` when there were none)
    """
    items: list[Any] = []
    if is_a(spec, (tuple, list)):
        try:
            items = list(cast("list[Any]", spec))
        except Exception as error:  # noqa: BLE001  a hostile sequence: this frame's piece only
            return None, redactor.redact_text(
                "__traceback_supplement__ could not be read: " + error_text(error, False)
            )
    if not items:
        return None, (
            "__traceback_supplement__ must be a (factory, *args) tuple, got "
            f"{safe_repr(spec, 200)}\n"
        )
    factory, *args = items
    try:
        supplement = factory(*args)
    except Exception as error:  # noqa: BLE001
        return None, redactor.redact_text(error_text(error, with_traceback))
    errors: list[str] = []
    data = supplement_data(supplement, errors, redactor, with_traceback)
    return data, "".join(errors) or None


def supplement_data(
    supplement: object, errors: list[str], redactor: Redactor, with_traceback: bool
) -> SupplementaryData:
    """Copy the attributes of a supplement object; what fails is skipped.

    :param supplement: the object a factory made
    :param errors: receives the text of each error met
    :param redactor: redacts every text read
    :param with_traceback: write errors as tracebacks, else as one line
    """

    def failed(error: Exception) -> None:
        errors.append(redactor.redact_text(error_text(error, with_traceback)))

    values: dict[str, object] = {}
    for name in _ATTRIBUTES:
        try:
            values[name] = getattr(supplement, name, None)
        except Exception as error:  # noqa: BLE001
            failed(error)
            values[name] = None
    info = None
    try:
        get_info = getattr(supplement, "getInfo", None)
        if get_info is not None:
            info = redactor.redact_text(safe_str(get_info(), INFO_LIMIT))
    except Exception as error:  # noqa: BLE001
        failed(error)
    extra = None
    try:
        extra_data = getattr(supplement, "extraData", None)
        if extra_data is not None:
            extra = _extra(extra_data(), redactor, _redacted_by(supplement, redactor))
    except Exception as error:  # noqa: BLE001
        failed(error)
    warnings = values["warnings"]
    warning_texts: tuple[str, ...] = ()
    if is_a(warnings, str):
        warning_texts = (redactor.redact_text(safe_str(warnings, INFO_LIMIT)),)
    elif warnings is not None:
        try:
            warning_texts = tuple(
                redactor.redact_text(safe_str(item, INFO_LIMIT))
                for item in itertools.islice(warnings, MAX_WARNINGS)  # type: ignore[call-overload]
            )
        except Exception as error:  # noqa: BLE001
            failed(error)
    obj = values["object"]
    return SupplementaryData(
        # Paste showed ``In object: repr(object)`` for a true object only.
        object=safe_repr(obj, REPR_LIMIT) if _is_true(obj) else None,
        source_url=optional_text(values["source_url"], redactor),
        line=as_int(values["line"]),
        column=as_int(values["column"]),
        expression=optional_text(values["expression"], redactor),
        warnings=warning_texts,
        info=info,
        extra=extra,
        request_method=optional_text(values["request_method"], redactor, NAME_LIMIT),
    )


def _redacted_by(supplement: object, redactor: Redactor) -> bool:
    """Whether *supplement*'s extra data is inert and went through *redactor* already.

    True for a request's own supplement (:class:`RequestSupplement`, its
    ``extraData`` not overridden) whose request was read with this redactor:
    its values are copied as they are instead of redacted a second time.
    """
    kind = type(supplement)
    return (
        issubclass(kind, RequestSupplement)
        and kind.extraData is RequestSupplement.extraData
        and kind.redacted_by is redactor
    )


def _extra(data: object, redactor: Redactor, redacted: bool) -> dict[ExtraKey, ExtraValue]:
    """What ``extraData()`` returned, kept as Paste kept it (see :func:`plain_copy`).

    :param redacted: the values are inert and redacted with *redactor* already
    """
    if not isinstance(data, Mapping):
        raise TypeError(f"extraData() returned {type(data).__name__}, not a mapping")
    result: dict[ExtraKey, ExtraValue] = {}
    for index, (key, value) in enumerate(itertools.islice(data.items(), MAX_SEQUENCE)):
        try:  # each entry on its own: a hostile key costs only its entry
            extra_key = extra_key_of(key)
            title = extra_key[1] if isinstance(extra_key, tuple) else extra_key
            secret = redactor.is_secret_name(title)
        except Exception as error:  # noqa: BLE001
            text = redactor.redact_text(f"<could not be read: {error_summary(error)}>")
            result[f"entry {index}"] = ExtraRepr(text)
            continue
        if secret:
            result[extra_key] = ExtraRepr(REDACTED)
        else:
            result[extra_key] = value if redacted else plain_copy(value, redactor)
    return result


def extra_key_of(key: object) -> ExtraKey:
    """An extra-data key as Paste kept it: a title, or ``(importance, title)``; as text."""
    if isinstance(key, tuple) and len(key) == 2:
        return (_plain_str(key[0], NAME_LIMIT), _plain_str(key[1], NAME_LIMIT))
    return _plain_str(key, NAME_LIMIT)


def _plain_str(value: object, limit: int) -> str:
    return safe_str(value, limit) if is_a(value, str) else safe_repr(value, limit)


def _is_true(value: object) -> bool:
    """``bool(value)``; a value whose truth cannot be told counts as true (it is shown)."""
    try:
        return bool(value)
    except Exception:  # noqa: BLE001
        return True


def optional_text(value: object, redactor: Redactor, limit: int = INFO_LIMIT) -> str | None:
    """Return ``None`` for ``None``, else the bounded, redacted ``str()``."""
    if value is None:
        return None
    return redactor.redact_text(safe_str(value, limit))


def as_int(value: object) -> int | None:
    """Return *value* as an ``int``, or ``None`` (bools and failures too); never raise.

    An ``int`` subclass is read as the number it holds (its own ``__int__``
    is not called).
    """
    if value is None or is_a(value, bool):
        return None
    if is_a(value, int):
        return int.__int__(value)  # type: ignore[arg-type]
    try:
        number: int = int(value)  # type: ignore[call-overload]
        return number
    except Exception:  # noqa: BLE001
        return None
