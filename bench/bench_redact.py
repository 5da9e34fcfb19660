"""Benchmark: redaction of adversarial text, and a failing request with a huge URL and headers.

1. Each built-in value pattern, and the name pass, run directly (no trigger
   check, no :data:`~paste_exc.redact.MAX_TEXT` cut) on adversarial texts of
   10 KB, 100 KB and 1 MB: runs of word boundaries and dots (``a.a.a.…``),
   ``eyJ`` tokens, ``://`` and ``@``, quotes, digits, long runs of one
   character, and a random mix of all of them. For each pattern: the time on
   1 MB of its worst text, and the scaling per 10x in size (about 10 for
   linear time; a quadratic pattern shows about 100).
2. The in-process CPU time of one failing request through
   :class:`~paste_exc.errormiddleware.ErrorMiddleware` (debug off, a remote
   client: ``REMOTE_ADDR`` set), the plain one beside one with a 1 MB URL
   (a ``a.a.a.…`` query string) and 1 MB of headers, both the same shape
   apart from size (the same headers, the long one with long values and more
   of them). Medians of many runs, and their ratio (the target: under 2).

Run: ``.venv/bin/python bench/bench_redact.py [--quick]``
"""

from __future__ import annotations

import argparse
import itertools
import random
import statistics
import time
import warnings
from collections.abc import Callable, Iterable
from typing import Any

warnings.simplefilter("ignore", DeprecationWarning)

from bench_middleware import base_environ  # noqa: E402 (the same environ as that bench)

from paste_exc.errormiddleware import ErrorMiddleware  # noqa: E402
from paste_exc.redact import DEFAULT_VALUE_PATTERNS, default_redactor  # noqa: E402
from paste_exc.redact.names import redact_named_values  # noqa: E402
from paste_exc.redact.patterns import folded_regex  # noqa: E402

#: Pieces that make the patterns work hardest, repeated to the size wanted.
ADVERSARIAL: dict[str, str] = {
    "dots": "a.",
    "word boundaries": "a ",
    "dashes": "a-",
    "eyJ runs": "eyJ-",
    "eyJ dots": "eyJa.",
    "scheme": "a://x:",
    "colon slashes": "://:",
    "at signs": "a@b:",
    "userinfo": "x://u:p@",
    "quotes": "'a': ",
    "assignments": "a=",
    "keywords": "password=",
    "digits": "2222 ",
    "dashed digits": "4-",
    "pem": "-----BEGIN ",
    "bearer": "Bearer ",
    "long run": "a",
    "long run of spaces": " ",
}
MIX_PIECES = (*ADVERSARIAL.values(), "'", '"', "(", "[", "{", "\\", "…", "\n", "/", "%5B")


def adversarial(name: str, size: int) -> str:
    if name == "random mix":
        rng = random.Random(size)
        pieces: list[str] = []
        length = 0
        while length < size:
            piece = rng.choice(MIX_PIECES) * rng.choice((1, 1, 2, 50))
            pieces.append(piece)
            length += len(piece)
        return "".join(pieces)[:size]
    piece = ADVERSARIAL[name]
    return (piece * (size // len(piece) + 1))[:size]


def best_time(function: Callable[[], object], repeat: int) -> float:
    """The least of *repeat* timings (the machine's noise only ever adds)."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)


def pattern_runs() -> list[tuple[str, Callable[[str], object]]]:
    """Each pattern as :meth:`~paste_exc.redact.Redactor.redact_values` runs it.

    A case-insensitive built-in runs on the lower-cased copy of an ASCII text
    (the lower-casing counted); no trigger check, no cut.
    """
    runs: list[tuple[str, Callable[[str], object]]] = []
    for pattern in DEFAULT_VALUE_PATTERNS:
        folded = folded_regex(pattern)
        if folded is not None:
            runs.append((pattern.name, lambda text, regex=folded: regex.sub("", text.lower())))
        else:
            runs.append((pattern.name, lambda text, regex=pattern.regex: regex.sub("", text)))
    redactor = default_redactor
    runs.append(
        (
            "name pass",
            lambda text: redact_named_values(
                text,
                redactor.is_secret_name,
                redactor._keys,  # the pass as redact_text runs it
                redactor._lowered_keys,
            ),
        )
    )
    return runs


def bench_patterns(quick: bool) -> None:
    sizes = (10_000, 100_000, 1_000_000)
    names = [*ADVERSARIAL, "random mix"]
    texts = {(name, size): adversarial(name, size) for name in names for size in sizes}
    repeat = 1 if quick else 5
    print("1. each pattern on 1 MB of adversarial text (its worst text of", len(names), "kinds)")
    print(f"   {'pattern':<20} {'worst text':<20} {'1 MB':>10} {'x per 10x size':>15}")
    for label, run in pattern_runs():
        worst = ("", 0.0, 0.0)
        for name in names:
            big = best_time(lambda run=run, name=name: run(texts[(name, 1_000_000)]), repeat)
            if big > worst[1]:
                mid = best_time(lambda run=run, name=name: run(texts[(name, 100_000)]), repeat)
                worst = (name, big, mid)
        name, big, mid = worst
        print(f"   {label:<20} {name:<20} {big * 1000:>8.1f} ms {big / max(mid, 1e-9):>14.1f}")
    full = adversarial("random mix", 1_000_000)
    started = time.perf_counter()
    default_redactor.redact_text(full)
    print(
        f"   redact_text() of the 1 MB mix (cut to {len(full):,} -> MAX_TEXT first): "
        f"{(time.perf_counter() - started) * 1000:.2f} ms"
    )


# -- a failing request ----------------------------------------------------------------


def failing_app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    raise ValueError("benchmark failure")


#: The headers of both requests: a browser's, behind a proxy.
HEADER_NAMES = (
    "HTTP_USER_AGENT",
    "HTTP_ACCEPT",
    "HTTP_ACCEPT_LANGUAGE",
    "HTTP_ACCEPT_ENCODING",
    "HTTP_REFERER",
    "HTTP_CONNECTION",
    "HTTP_UPGRADE_INSECURE_REQUESTS",
    "HTTP_SEC_FETCH_DEST",
    "HTTP_SEC_FETCH_MODE",
    "HTTP_SEC_FETCH_SITE",
    "HTTP_CACHE_CONTROL",
    "HTTP_PRAGMA",
    "HTTP_DNT",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_REQUEST_ID",
    "HTTP_X_CORRELATION_ID",
)
#: Every character that makes a pattern work, in one repeated piece.
HOSTILE = "a.a.eyJ-x://u:p@a'a': a=Bearer 2222 password=1 AKIA ghp_ -----BEGIN "


def request_environ(query: str, header_value: Callable[[str], str], extra: int) -> dict[str, Any]:
    environ = base_environ()
    environ.update(
        PATH_INFO="/orders/list",
        QUERY_STRING=query,
        SERVER_NAME="example.org",
        REMOTE_ADDR="203.0.113.7",
        REMOTE_PORT="53122",
        HTTP_HOST="example.org",
    )
    for name in HEADER_NAMES:
        environ[name] = header_value(name)
    for number in range(extra):
        environ[f"HTTP_X_EXTRA_{number}"] = header_value(f"X-Extra-{number}")
    return environ


_COUNTER = itertools.count()
_LONG_VALUE = (HOSTILE * (65536 // len(HOSTILE) + 1))[:65536]
_KB_VALUE = _LONG_VALUE[:1024]


def plain_environ() -> dict[str, Any]:
    """A plain failing request; every request differs (a request id, as proxies add)."""
    number = next(_COUNTER)
    return request_environ(
        f"page={number}&sort=date", lambda name: f"{number} value of {name.lower()}", 0
    )


def long_environ() -> dict[str, Any]:
    """The same request: a 1 MB ``a.a.a.…`` query string, 1 MB of hostile header values.

    Every value differs from the others and from those of every other request,
    so no cache of the redactor helps: the attacker's best.
    """
    number = next(_COUNTER)
    query = f"q={number}" + "a." * 500_000
    return request_environ(query, lambda name: f"{number} {name} {_LONG_VALUE}", 0)


def many_headers_environ() -> dict[str, Any]:
    """Not the same shape: 1,000 more headers of 1 KB (their names and values differ)."""
    number = next(_COUNTER)
    query = f"q={number}" + "a." * 500_000
    return request_environ(query, lambda name: f"{number} {name} {_KB_VALUE}", 1000)


def request_time(
    middleware: ErrorMiddleware, make: Callable[[], dict[str, Any]], runs: int
) -> float:
    times = []
    for _ in range(runs):
        environ = make()
        started = time.process_time()
        body = middleware(environ, lambda status, headers, exc_info=None: None)
        b"".join(body)
        times.append(time.process_time() - started)
    return statistics.median(times)


def bench_request(quick: bool) -> None:
    middleware = ErrorMiddleware(failing_app, debug=False)
    runs = 200 if quick else 2000
    makers = (plain_environ, long_environ, many_headers_environ)
    for make in makers:  # warm up caches and imports
        request_time(middleware, make, 20)
    # Interleaved rounds, so that a slow moment of the machine costs all alike.
    times: dict[Callable[[], dict[str, Any]], list[float]] = {make: [] for make in makers}
    for _ in range(5):
        for make in makers:
            times[make].append(request_time(middleware, make, runs // 5))
    plain, long, many = (statistics.median(times[make]) for make in makers)
    print()
    print("2. one failing request, debug off, remote client (median CPU time of", runs, "runs)")
    print(f"   plain request ({len(HEADER_NAMES)} headers):          {plain * 1000:.3f} ms")
    print(f"   the same, 1 MB URL and 1 MB of headers: {long * 1000:.3f} ms")
    print(f"   ratio: x{long / plain:.2f} (target: under x2)")
    print(f"   and with 1,000 more headers of 1 KB:   {many * 1000:.3f} ms (x{many / plain:.2f})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs")
    parser.add_argument("--patterns-only", action="store_true", help="only part 1")
    args = parser.parse_args(argv)
    bench_patterns(args.quick)
    if not args.patterns_only:
        bench_request(args.quick)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
