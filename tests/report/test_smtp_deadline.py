"""``smtp_timeout`` is the deadline of the whole SMTP conversation, not of each read.

A tarpitting SMTP server (tests/smtp_tarpit.py) sends its greeting one byte
every 0.3 s: each read comes well within the timeout, so only a deadline for
the whole conversation ends it. The TLS cases guard the handshakes too.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from smtp_tarpit import GREETING, Tarpit

from paste_exc.report.builtin import smtp as _smtp


def run_bounded(func: Callable[[], object], limit: float = 15.0) -> BaseException | None:
    """Run *func* in a thread; fail when it is still running after *limit* seconds."""
    outcome: list[BaseException | None] = []

    def target() -> None:
        try:
            func()
        except BaseException as exc:
            outcome.append(exc)
        else:
            outcome.append(None)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(limit)
    assert outcome, f"still running after {limit} s: no deadline for the whole conversation"
    return outcome[0]


def send_to(port: int, timeout: float, **kw: Any) -> None:
    msg = _smtp.build_message(
        text="t",
        html="<p>t</p>",
        subject="s",
        from_address="errors@example.com",
        to_addresses=["ops@example.com"],
        code="C",
    )
    _smtp.send_message(
        msg,
        host="127.0.0.1",
        port=port,
        from_address="errors@example.com",
        to_addresses=["ops@example.com"],
        timeout=timeout,
        **kw,
    )


def test_smtp_timeout_bounds_the_whole_conversation() -> None:
    with Tarpit() as tarpit:
        error = run_bounded(lambda: send_to(tarpit.port, 1.0))
        assert isinstance(error, TimeoutError)
        assert "1 s" in str(error)
        assert "smtp_timeout" in str(error)
        assert tarpit.hung_up.wait(10)
        assert 0 < tarpit.sent < len(GREETING)  # cut off in the middle of the greeting


def test_deadline_covers_the_implicit_tls_handshake() -> None:
    # A TLS record header announcing 16 KiB, then its body one byte at a time.
    with Tarpit(payload=b"\x16\x03\x03\x40\x00" + b"\x00" * 200) as tarpit:
        error = run_bounded(
            lambda: send_to(tarpit.port, 1.0, use_ssl=True, context=_smtp.make_ssl_context(False))
        )
        assert isinstance(error, TimeoutError)
        assert tarpit.hung_up.wait(10)


def test_deadline_covers_the_starttls_handshake() -> None:
    prelude = (b"220 slow ESMTP\r\n", b"250-slow\r\n250 STARTTLS\r\n", b"220 go ahead\r\n")
    payload = b"\x16\x03\x03\x40\x00" + b"\x00" * 200
    with Tarpit(payload=payload, prelude=prelude) as tarpit:
        error = run_bounded(
            lambda: send_to(tarpit.port, 1.0, use_tls=True, context=_smtp.make_ssl_context(False))
        )
        assert isinstance(error, TimeoutError)
        assert tarpit.hung_up.wait(10)
