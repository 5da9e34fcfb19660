"""Model: what every output reads of a report the same way.

Part of the model (the inert data between the stages); it imports only the
safe repr and the redactor (the collected dataclasses are read by their
attributes: they import this module).  What every output shows of a local
(:func:`shown_value`), how an extra-data key reads (:func:`split_extra_key`,
:func:`extra_entries`), the fields of the header line and of every JSON
document (:func:`report_fields`) and the report's time (:func:`utc_time`,
:func:`local_time`) are decided here only.
"""

from __future__ import annotations

import datetime
import math
import time
from collections.abc import Callable, Mapping
from typing import Final

from paste_exc.model.report import CollectedException, LocalVariable
from paste_exc.redact.engine import REDACTED, default_redactor
from paste_exc.redact.saferepr import safe_repr, safe_str

__all__ = [
    "FIELD_NAMES",
    "IMPORTANCE_LEVELS",
    "clean_text",
    "extra_entries",
    "local_time",
    "report_fields",
    "shown_value",
    "split_extra_key",
    "utc_time",
    "value_text",
]

#: The importance levels of extra data, most important first.
IMPORTANCE_LEVELS: Final = ("important", "normal", "supplemental", "extra")
#: The fields every output carries (the header line of text reports, the
#: JSON documents, the ``logging`` record's extras), in this order.
FIELD_NAMES: Final = (
    "time",
    "identification_code",
    "occurrence_id",
    "request_method",
    "request_url",
)


def clean_text(text: str) -> str:
    """Replace lone surrogates (from hostile input) so the text encodes as UTF-8.

    :param text: any text
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return text


def value_text(value: object, limit: int = 1000) -> str:
    """Return an extra-data value as text: a string as itself, anything else as its safe repr.

    A ``str`` subclass becomes a plain ``str`` (its own ``__str__`` or
    ``__html__`` is never called), so every formatter shows the same text and
    the HTML one escapes it.

    :param value: a title, name or value from extra data.
    :param limit: the most characters of a repr.
    """
    return str.__str__(value) if isinstance(value, str) else safe_repr(value, limit)


def shown_value(local: LocalVariable) -> str:
    """What every output shows of *local*.

    Its ``value``; but a local marked ``redacted`` whose value holds no
    ``[REDACTED]`` marker (built by hand, not by the collector) shows
    ``REDACTED`` whole, never its value.
    """
    if local.redacted and REDACTED not in local.value:
        return REDACTED
    return local.value


def split_extra_key(key: object) -> tuple[str, str]:
    """Return ``(importance, title)`` of an extra-data key.

    A ``(importance, title)`` tuple, or a plain title (importance ``normal``,
    as a Paste-style ``__traceback_decorator__`` may add); an unknown
    importance counts as ``normal``; the title is :func:`value_text`, at most
    200 characters of a repr.

    :param key: a key of ``extra_data``
    """
    if isinstance(key, tuple) and len(key) == 2:
        importance, title = key
        importance = importance if importance in IMPORTANCE_LEVELS else "normal"
        return importance, value_text(title, 200)
    return "normal", value_text(key, 200)


def extra_entries(extra: object) -> list[dict[str, object]]:
    """Return extra data as ``{"importance", "title", "values"}`` objects, one per key.

    In the mapping's order; keys as :func:`split_extra_key` reads them; a
    mapping that cannot be read gives one ``extra`` entry saying so.

    :param extra: an ``extra_data`` mapping (``None`` gives no entries)
    """
    if not isinstance(extra, Mapping):
        return []
    try:
        items = list(extra.items())
    except Exception as error:  # noqa: BLE001  a hostile mapping from a decorator
        unread = f"<could not be read: {safe_repr(error, 200)}>"
        return [{"importance": "extra", "title": "extra_data", "values": [unread]}]
    entries: list[dict[str, object]] = []
    for key, values in items:
        importance, title = split_extra_key(key)
        listed = list(values) if isinstance(values, list) else [values]
        entries.append({"importance": importance, "title": title, "values": listed})
    return entries


# -- the fields every output carries ----------------------------------------------


def utc_time(exc_data: CollectedException) -> str | None:
    """Return when *exc_data* was collected, in UTC, ISO 8601 (``2024-05-01T12:00:00.123Z``).

    From the collector's ``timestamp``, else its ``date`` tuple; ``None``
    when neither makes a valid time.

    :param exc_data: the collected exception
    """
    try:
        stamp: object = getattr(exc_data, "timestamp", None)
        if not (isinstance(stamp, int | float) and math.isfinite(stamp) and stamp > 0):
            stamp = time.mktime(exc_data.date)
    except Exception:  # noqa: BLE001 (no date, a bad tuple, a hostile object)
        return None
    try:
        moment = datetime.datetime.fromtimestamp(float(stamp), datetime.UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def local_time(exc_data: CollectedException) -> datetime.datetime | None:
    """Return when *exc_data* was collected, in local time with its offset.

    From the collector's ``timestamp``, else its ``date`` tuple; ``None``
    when neither makes a valid time.

    :param exc_data: the collected exception
    """
    moments: list[Callable[[], datetime.datetime]] = []
    stamp = getattr(exc_data, "timestamp", None)
    if isinstance(stamp, int | float) and math.isfinite(stamp) and stamp > 0:
        moments.append(lambda: datetime.datetime.fromtimestamp(stamp))
    moments.append(lambda: datetime.datetime(*exc_data.date[:6]))
    for make in moments:
        try:
            return make().astimezone()
        except (TypeError, ValueError, OverflowError, OSError):
            continue
    return None


def _text_or_none(value: object) -> str | None:
    if value is None:
        return None
    return value if type(value) is str else safe_str(value)


def report_fields(exc_data: CollectedException) -> dict[str, str | None]:
    """Return the fields every output carries, by their names in :data:`FIELD_NAMES`.

    ``time`` as :func:`utc_time`; ``occurrence_id`` is ``unknown`` when
    empty; ``request_method`` and ``request_url`` are ``None`` outside a
    request; the URL passes through :data:`paste_exc.redact.default_redactor`
    (again: the collector redacted it already). Never raises.

    :param exc_data: the collected exception
    """
    fields: dict[str, str | None] = dict.fromkeys(FIELD_NAMES)
    fields["time"] = utc_time(exc_data)
    for name in FIELD_NAMES[1:]:
        try:  # each on its own: a Paste-style object may lack one, a hostile one raise
            fields[name] = _text_or_none(getattr(exc_data, name, None))
        except Exception:  # noqa: BLE001, S112 (that field stays unknown)
            continue
    fields["identification_code"] = fields["identification_code"] or ""
    fields["occurrence_id"] = fields["occurrence_id"] or "unknown"
    url = fields["request_url"]
    if url:
        try:
            fields["request_url"] = default_redactor.redact_text(url)
        except Exception:  # noqa: BLE001 (never show what could not be checked)
            fields["request_url"] = "[unreadable]"
    return fields
