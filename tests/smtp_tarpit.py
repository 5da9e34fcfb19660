"""A tarpitting SMTP server on 127.0.0.1: it sends its greeting one byte at a time.

Tarpitting is a real anti-spam technique. Each byte comes well within any
per-read timeout, so only a deadline for the whole conversation ends it.
"""

from __future__ import annotations

import select
import socket
import threading
from types import TracebackType

#: The greeting: 100 bytes, so about 30 s at one byte every 0.3 s.
GREETING = b"220 " + b"tarpit" * 16 + b"\r\n"


class Tarpit:
    """Accept connections and drip :data:`GREETING` one byte per *interval* seconds.

    With a *prelude*, its first reply is sent at once and each further one
    after a line from the client; the dripping starts after the last one
    (e.g. a normal greeting, an EHLO answer offering STARTTLS, ``220`` to
    STARTTLS, then a TLS handshake one byte at a time).

    :attr:`sent` counts the bytes sent on the latest connection; the event
    :attr:`connected` is set when a client connects and :attr:`hung_up` when
    it closes the connection (seen as end-of-file while waiting to send).
    """

    def __init__(
        self,
        interval: float = 0.3,
        payload: bytes = GREETING,
        prelude: tuple[bytes, ...] = (),
    ) -> None:
        self.interval = interval
        self.payload = payload
        self.prelude = prelude
        self.sent = 0
        self.connections = 0
        self.connected = threading.Event()
        self.hung_up = threading.Event()
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port: int = self._listener.getsockname()[1]
        self._threads: list[threading.Thread] = []
        self._accepter = threading.Thread(target=self._accept, name="tarpit", daemon=True)

    def __enter__(self) -> Tarpit:
        self._accepter.start()
        return self

    def __exit__(
        self,
        etype: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop accepting and close every connection (within about one interval)."""
        self._stop.set()
        self._accepter.join(5)
        for thread in self._threads:
            thread.join(5)
        self._listener.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            thread = threading.Thread(target=self._drip, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _play_prelude(self, conn: socket.socket) -> bool:
        conn.settimeout(10)
        try:
            for number, reply in enumerate(self.prelude):
                if number:
                    line = b""
                    while not line.endswith(b"\n"):
                        chunk = conn.recv(1)
                        if not chunk:
                            return False
                        line += chunk
                conn.sendall(reply)
        except OSError:
            return False
        finally:
            conn.settimeout(None)
        return True

    def _drip(self, conn: socket.socket) -> None:
        self.sent = 0
        self.connected.set()
        with conn:
            if not self._play_prelude(conn):
                return
            for index in range(len(self.payload)):
                # Wait one interval, watching for the client hanging up.
                readable, _, _ = select.select([conn], [], [], self.interval)
                if self._stop.is_set():
                    return
                if readable:
                    try:
                        data = conn.recv(4096)
                    except OSError:
                        data = b""
                    if not data:
                        self.hung_up.set()
                        return
                try:
                    conn.sendall(self.payload[index : index + 1])
                except OSError:
                    self.hung_up.set()
                    return
                self.sent += 1
            # The whole greeting went out: say nothing more until told to stop.
            while not self._stop.wait(self.interval):
                readable, _, _ = select.select([conn], [], [], 0)
                if readable and not conn.recv(4096):
                    self.hung_up.set()
                    return
