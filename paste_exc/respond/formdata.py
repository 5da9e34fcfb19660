"""Respond: a request's form fields, only from what the application already parsed or read.

Part of the respond stage. The body of a failing request is never read for a
report: the application may not have read it (then it is unread, and may be
large or slow), and reading it would take it from the application. Fields are
shown only when WebOb parsed them (``request.POST``) or when the application
read the body through WebOb (``request.body``), which leaves a seekable copy.
Every value is bounded and redacted as the rest of the request is.

.. versionadded:: 0.1
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from typing import IO, Final, cast
from urllib.parse import parse_qsl

from paste_exc.model.bounds import ENVIRON_VALUE_LIMIT, FORM_BODY_LIMIT, QUERY_PARAMETERS
from paste_exc.model.report import ExtraValue
from paste_exc.respond.bounds import bounded_text as _text

__all__ = ["form_fields"]

#: Makes one entry's value inert and redacted (the request reader's rule).
Inert = Callable[[object, object], ExtraValue]


#: Form fields as ``(name, value)`` pairs.
Fields = tuple[tuple[str, ExtraValue], ...]


def form_fields(values: Mapping[object, object], inert: Inert) -> Fields | None:
    """The form fields, only when the application already parsed or read the body.

    Parsed by WebOb (``request.POST``): its fields. Read by WebOb
    (``request.body``, which leaves a seekable copy and says so with
    ``webob.is_body_seekable``): a URL-encoded body of at most
    :data:`~paste_exc.model.bounds.FORM_BODY_LIMIT` bytes is parsed from that
    copy, which is put back where it was. A body nobody read is never read.
    """
    parsed = values.get("webob._parsed_post_vars")
    if not isinstance(parsed, tuple) or len(parsed) != 2:
        return _read_form(values, inert)
    try:
        return tuple(
            (
                name := _text(str(key), 100),
                inert(name, _text(value, ENVIRON_VALUE_LIMIT) if isinstance(value, str) else value),
            )
            for key, value in itertools.islice(parsed[0].items(), QUERY_PARAMETERS)
        )
    except Exception:  # noqa: BLE001 (a hostile parsed body: no fields)
        return ()


def _read_form(values: Mapping[object, object], inert: Inert) -> Fields | None:
    """The fields of a URL-encoded body the application read through WebOb."""
    if values.get("webob.is_body_seekable") is not True:
        return None
    content_type = values.get("CONTENT_TYPE")
    if not isinstance(content_type, str) or not content_type.lower().startswith(_URLENCODED):
        return None
    stream = cast("IO[bytes]", values.get("wsgi.input"))
    try:
        start = stream.tell()
        try:
            stream.seek(0)
            data = stream.read(FORM_BODY_LIMIT + 1)
        finally:
            stream.seek(start)
    except Exception:  # noqa: BLE001 (not a stream we can read back: no fields)
        return None
    if not isinstance(data, bytes) or len(data) > FORM_BODY_LIMIT:
        return None
    pairs = parse_qsl(data.decode("utf-8", "replace"), keep_blank_values=True, max_num_fields=None)[
        :QUERY_PARAMETERS
    ]
    return tuple(
        (name := _text(key, 100), inert(name, _text(value, ENVIRON_VALUE_LIMIT)))
        for key, value in pairs
    )


_URLENCODED: Final = "application/x-www-form-urlencoded"
