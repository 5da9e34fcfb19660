"""ASGI mechanics of the middleware: watching the messages go by, and sending its own.

Part of the respond stage (ASGI). Kept apart from the middleware so its flow
reads in one place:

* :class:`Watch` wraps one connection's ``receive`` and ``send``: it records
  whether the response started (``http.response.start``, or a websocket's
  ``websocket.accept``), whether the body is complete (the last
  ``http.response.body``), the headers sent, and whether the client went
  away (``http.disconnect`` or ``websocket.disconnect`` received, or the
  server's ``send`` raising :class:`OSError`, as the ASGI spec has servers do
  for a closed connection). It forwards every message unchanged;
* :func:`sent_content` reads what a started response said of its body (its
  content type, a declared length, an encoding);
* :func:`send_response` and :func:`send_quietly` send the middleware's own
  messages, never raising for a client that is gone.

.. versionadded:: 0.1
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Final, cast

from paste_exc.format.headers import Headers
from paste_exc.redact.saferepr import safe_str
from paste_exc.respond.fallback import write_errors

__all__ = [
    "ASGIApp",
    "Message",
    "Receive",
    "Scope",
    "Send",
    "Watch",
    "send_quietly",
    "send_response",
    "sent_content",
]

#: An ASGI connection scope (a dict the server makes; applications may add keys).
Scope = MutableMapping[str, object]
#: An ASGI event or message.
Message = MutableMapping[str, object]
#: The awaitable that gives the next event of the connection.
Receive = Callable[[], Awaitable[Message]]
#: The awaitable that sends a message to the server.
Send = Callable[[Message], Awaitable[None]]
#: An ASGI 3 application.
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_GONE: Final = frozenset({"http.disconnect", "websocket.disconnect"})


class Watch:
    """One connection's ``receive`` and ``send``, watched (see the module docstring).

    :param receive: the server's ``receive``
    :param send: the server's ``send``
    """

    __slots__ = (
        "_receive",
        "_send",
        "accepted",
        "closed",
        "complete",
        "gone",
        "headers",
        "started",
    )

    def __init__(self, receive: Receive, send: Send) -> None:
        self._receive = receive
        self._send = send
        #: The response started: its start message (HTTP, or a websocket's denial) was sent.
        self.started = False
        #: The body is complete: the last body message was sent.
        self.complete = False
        #: The headers of the start message.
        self.headers: object = None
        #: The websocket was accepted.
        self.accepted = False
        #: The websocket was closed by the application.
        self.closed = False
        #: The client went away: a disconnect was received, or sending failed.
        self.gone = False

    async def receive(self) -> Message:
        """The server's ``receive``, noting a disconnect."""
        __traceback_hide__ = True
        message = await self._receive()
        # A disconnect once the response is over is the exchange's normal end, and
        # an error after it (a background task's) is the application's own.
        if message.get("type") in _GONE and not (self.complete or self.closed):
            self.gone = True
        return message

    async def send(self, message: Message) -> None:
        """The server's ``send``, noting what was sent; a server refusing (:class:`OSError`)."""
        __traceback_hide__ = True
        kind = message.get("type")
        if kind == "http.response.body" or kind == "websocket.http.response.body":
            if not message.get("more_body", False):
                self.complete = True
        elif kind == "http.response.start" or kind == "websocket.http.response.start":
            self.started = True
            self.headers = message.get("headers")
        elif kind == "websocket.accept":
            self.accepted = True
        elif kind == "websocket.close":
            self.closed = True
        elif kind == "http.response.pathsend":
            self.complete = True
        try:
            await self._send(message)
        except OSError:
            # The ASGI spec: a send on a closed connection raises an OSError.
            self.gone = True
            raise


def sent_content(headers: object) -> tuple[str, bool, bool]:
    """What a started response said of its body: how a report could be appended to it.

    :param headers: the start message's headers (``[(name, value), ...]`` as bytes)
    :returns: its ``Content-Type``; whether it declared its length (one byte more
        would corrupt the connection); whether it is encoded (``gzip``: text
        appended would corrupt the body)
    """
    content_type = ""
    declared = encoded = False
    try:
        for name, value in cast("Iterable[tuple[object, object]]", headers or ()):
            if not isinstance(name, bytes | bytearray):
                continue
            lowered = bytes(name).lower()
            if lowered == b"content-type" and isinstance(value, bytes | bytearray):
                content_type = bytes(value).decode("latin-1")
            elif lowered == b"content-length":
                declared = True
            elif lowered == b"content-encoding":
                coding = bytes(value) if isinstance(value, bytes | bytearray) else b"?"
                encoded = encoded or coding.strip().lower() != b"identity"
    except Exception:  # noqa: BLE001 (unreadable headers: a length may have been declared)
        return content_type, True, True
    return content_type, declared, encoded


def _latin1(text: str) -> bytes:
    return text.encode("latin-1", "replace")


async def send_quietly(send: Send, messages: Iterable[Message], stream: object) -> None:
    """Send the middleware's own *messages*; a client gone or a server refusing is not raised.

    The error they answer is reported already; what the server said is written
    to *stream* (but not for a closed connection, which is no error).
    """
    try:
        for message in messages:
            await send(message)
    except OSError:
        pass  # the client went away: nobody left to answer
    except Exception as error:  # noqa: BLE001 (the server refused the answer: say why)
        with contextlib.suppress(Exception):
            text = f"{type(error).__name__}: {safe_str(error, 500)}"
            write_errors(stream, f"paste_exc: the server refused the error response: {text}\n")


def response_messages(status: str, headers: Headers, body: bytes) -> list[Message]:
    """The start and body messages of a complete response built for WSGI's shape."""
    code = status.split(" ", 1)[0]
    return [
        {
            "type": "http.response.start",
            "status": int(code) if code.isdigit() else 500,
            "headers": [(_latin1(name.lower()), _latin1(value)) for name, value in headers],
        },
        {"type": "http.response.body", "body": body, "more_body": False},
    ]


async def send_response(send: Send, response: tuple[str, Headers, bytes], stream: object) -> None:
    """Send a whole response (status line, headers, body); never raises but cancellation."""
    await send_quietly(send, response_messages(*response), stream)
