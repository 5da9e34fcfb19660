"""No input makes an error cost seconds (issue 11, section 3); planted secrets never survive.

The costs themselves are measured in ``bench/bench_redact.py``; these tests
assert on the *size* of what reaches the redactor and on what the redactor
returns, never on timings.
"""

from __future__ import annotations

import io
import re
import string
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

with warnings.catch_warnings():  # webob imports the deprecated cgi module (Python 3.11)
    warnings.simplefilter("ignore", DeprecationWarning)
    import webob
    import webtest

from conftest import catching

from paste_exc import redact
from paste_exc.errormiddleware import ErrorMiddleware
from paste_exc.model import bounds as _request
from paste_exc.redact import REDACTED, Redactor, ValuePattern, default_redactor
from paste_exc.respond.bounds import request_url
from paste_exc.respond.wsgi.request import Supplement


def failing_app(environ: dict[str, Any], start_response: Any) -> Any:
    raise ValueError("the application failed")


class Sizes:
    """Every text handed to a redactor method during a request, by length."""

    def __init__(self) -> None:
        self.texts: list[int] = []
        self.names: list[int] = []


@pytest.fixture
def sizes(monkeypatch: pytest.MonkeyPatch) -> Sizes:
    seen = Sizes()
    text, name = Redactor.redact_text, Redactor.is_secret_name
    values = getattr(Redactor, "redact_values", None)

    def redact_text(self: Redactor, value: str) -> str:
        seen.texts.append(len(value))
        return text(self, value)

    def redact_values(self: Redactor, value: str) -> str:
        seen.texts.append(len(value))
        assert values is not None
        return values(self, value)

    def is_secret_name(self: Redactor, value: object) -> bool:
        seen.names.append(len(value) if isinstance(value, str) else 0)
        return name(self, value)

    monkeypatch.setattr(Redactor, "redact_text", redact_text)
    if values is not None:
        monkeypatch.setattr(Redactor, "redact_values", redact_values)
    monkeypatch.setattr(Redactor, "is_secret_name", is_secret_name)
    return seen


HUGE_QUERY = "q=" + "a." * 65_536  # 128 KB, the measured 6.8 s of CPU
HUGE_HEADERS = {f"X-Filler-{n}": ("a.eyJ-x://u:p@" * 600)[:8192] for n in range(32)}  # 256 KB


@pytest.mark.parametrize("debug", [False, True])
def test_a_huge_request_reaches_the_redactor_small(sizes: Sizes, debug: bool) -> None:
    """128 KB of query string and 256 KB of headers, from a remote client."""
    middleware = ErrorMiddleware(failing_app, debug=debug, show_locals=True)
    client = webtest.TestApp(catching(middleware), extra_environ={"REMOTE_ADDR": "203.0.113.9"})
    response = client.get(
        f"/orders?{HUGE_QUERY}", headers=HUGE_HEADERS, status=500, expect_errors=True
    )
    assert "Internal Server Error" in response.text or response.status_int == 500
    assert sizes.texts
    # Nothing longer than a shown piece of the request reaches a pattern, and all
    # of it together is a few KB, whatever the request's size.
    assert max(sizes.texts) <= 2_000
    assert sum(sizes.texts) <= 30_000
    assert max(sizes.names) <= 200
    # The report says what was cut.
    assert "more characters]" in response.errors
    assert "X-Filler-" not in response.errors or "HTTP_X_FILLER_0" in response.errors


def test_a_huge_request_with_debug_locals_reaches_the_redactor_small(sizes: Sizes) -> None:
    """In-process (no REMOTE_ADDR): the debug page, with the environ among the locals."""

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        url = environ["QUERY_STRING"]  # noqa: F841 - a local holding the huge query string
        raise ValueError("the application failed")

    response = webtest.TestApp(catching(ErrorMiddleware(app, debug=True, show_locals=True))).get(
        f"/orders?{HUGE_QUERY}", headers=HUGE_HEADERS, status=500, expect_errors=True
    )
    assert "the application failed" in response.text
    assert max(sizes.texts) <= 2_000
    assert sum(sizes.texts) <= 60_000


def test_redact_text_cuts_any_text_before_a_pattern_runs() -> None:
    lengths: list[int] = []

    class Spy:
        """A regex that records the length of every text it is run on."""

        pattern = "spy"
        flags = 0
        groupindex: dict[str, int] = {}

        def finditer(self, text: str) -> Iterator[re.Match[str]]:
            lengths.append(len(text))
            return iter(())

        def sub(self, replace: object, text: str) -> str:
            lengths.append(len(text))
            return text

    redactor = Redactor(extra_value_patterns=[ValuePattern("spy", Spy())])  # type: ignore[arg-type]
    result = redactor.redact_text("a." * 50_000)
    assert lengths
    assert max(lengths) <= redact.MAX_TEXT + 100
    assert len(result) <= redact.MAX_TEXT + 100
    assert result.endswith("more characters]")


def environ_with(**values: object) -> dict[str, Any]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": "/",
        "QUERY_STRING": "",
        "SERVER_NAME": "example.org",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": io.StringIO(),
    }
    environ.update(values)
    return environ


@pytest.mark.parametrize(
    "values",
    [
        {},
        {
            "HTTP_HOST": "example.org:8080",
            "PATH_INFO": "/a b/\xc3\xbc",
            "QUERY_STRING": "x=1&y=%20",
        },
        {"HTTP_HOST": "[::1]", "SCRIPT_NAME": "/app", "PATH_INFO": "/x;y"},
        {"wsgi.url_scheme": "https", "SERVER_PORT": "443", "PATH_INFO": "/~user/"},
        {"wsgi.url_scheme": "https", "HTTP_HOST": "h:443", "PATH_INFO": "/"},
        {"SERVER_PORT": "8000", "PATH_INFO": "/caf\xc3\xa9"},
    ],
)
def test_request_url_is_webobs_url_for_a_plain_request(values: dict[str, str]) -> None:
    environ = environ_with(**values)
    assert request_url(environ) == webob.Request(environ).url


def test_request_url_reads_bounded_pieces_of_a_huge_request() -> None:
    environ = environ_with(
        HTTP_HOST="h" * 1_000_000,
        SCRIPT_NAME="/s" * 500_000,
        PATH_INFO="/p" * 500_000,
        QUERY_STRING="q=" + "a." * 500_000,
    )
    url = request_url(environ)
    limits = _request.HOST_LIMIT + 3 * _request.PATH_LIMIT + _request.QUERY_LIMIT
    assert len(url) <= limits + 200
    assert url.count("more characters]") == 3
    assert url.startswith("http://hhh")


def test_request_data_is_bounded_in_number_and_size() -> None:
    query = "&".join(f"p{n}={'v' * 50}" for n in range(5000))
    environ = environ_with(QUERY_STRING=query)
    environ.update({f"HTTP_X_H{n}": "x" * 10_000 for n in range(2000)})
    data = Supplement(None, environ).extraData()
    cgi = data[("extra", "CGI Variables")]
    assert isinstance(cgi, dict)
    assert len(cgi) <= _request.ENVIRON_ENTRIES + 1
    assert "more environ entries not read" in str(cgi["…"])
    header_text = sum(len(v) for k, v in cgi.items() if str(k).startswith("HTTP_X"))
    assert header_text <= _request.HEADERS_LIMIT + 100
    assert "more headers not shown" in str(cgi["HTTP_…"])
    params = data[("normal", "Query Parameters")]
    assert isinstance(params, dict)
    assert len(params) <= _request.QUERY_PARAMETERS + 1
    for value in [*cgi.values(), *params.values()]:
        assert len(str(value)) <= _request.ENVIRON_VALUE_LIMIT + 40


# -- planted secrets in hostile text -----------------------------------------------------

ALNUM = string.ascii_letters + string.digits
#: Pieces that make the patterns work hardest.
HOSTILE = [
    "a.",
    "a",
    " ",
    "-",
    "eyJ",
    "://",
    "@",
    ":",
    "/",
    "'",
    '"',
    "=",
    "&",
    "?",
    "%5B",
    "\\",
    "…",
    "(",
    "[",
    "{",
    ")",
    "2222",
    "Bearer",
    "-----BEGIN",
    "password",
    "'key': ",
    "x=",
]
filler = st.lists(
    st.tuples(st.sampled_from(HOSTILE), st.sampled_from([1, 1, 2, 3, 50, 300])),
    max_size=30,
).map(lambda pieces: "".join(piece * count for piece, count in pieces)[:4000])
core = st.text(ALNUM, min_size=12, max_size=24).map(lambda text: "Zq" + text)
separator = st.sampled_from(["\n", ", ", "\t", " | ", "\r\n"])


def luhn_complete(digits: str) -> str:
    total = 0
    for index, char in enumerate(reversed(digits)):
        digit = int(char)
        if index % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return digits + str((10 - total % 10) % 10)


@st.composite
def planted(draw: st.DrawFn) -> tuple[str, tuple[str, ...]]:
    """A secret in one of its forms, and the parts of it that must not survive."""
    kind = draw(
        st.sampled_from(
            [
                "url",
                "bearer",
                "jwt",
                "aws",
                "github",
                "pem",
                "card",
                "assignment",
                "query",
                "dict",
                "call",
            ]
        )
    )
    secret = draw(core)
    if kind == "url":
        extra = draw(st.sampled_from(["", "/x", "@y", "/a@b", ":c"]))
        password = secret + extra
        scheme = draw(st.sampled_from(["postgresql", "redis", "mysql+pymysql", "amqp"]))
        return f"{scheme}://app:{password}@db.internal/app", (password, secret)
    if kind == "bearer":
        return f"Authorization: Bearer {secret}", (secret,)
    if kind == "jwt":
        signature = draw(st.text(ALNUM + "_-", min_size=16, max_size=40))
        return f"eyJhbGciOiJIUzI1NiJ9.eyJ{secret}.{signature}", (secret, signature)
    if kind == "aws":
        key = "AKIA" + draw(
            st.text(string.ascii_uppercase + string.digits, min_size=16, max_size=16)
        )
        return key, (key,)
    if kind == "github":
        token = "ghp_" + draw(st.text(ALNUM, min_size=36, max_size=36))
        return token, (token,)
    if kind == "pem":
        body = "\n".join([secret, draw(core), draw(core)])
        block = f"-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----"
        return block, (secret,)
    if kind == "card":
        number = luhn_complete("4" + draw(st.text(string.digits, min_size=14, max_size=14)))
        spaced = draw(st.booleans())
        shown = " ".join(number[i : i + 4] for i in range(0, 16, 4)) if spaced else number
        return shown, (shown, number)
    if kind == "assignment":
        name = draw(st.sampled_from(["password", "api_key", "client_secret", "DB_PASSWORD"]))
        return f"{name}={secret}", (secret,)
    if kind == "query":
        name = draw(
            st.sampled_from(
                ["session", "auth", "csrf", "sig", "X-Amz-Signature", "user%5Bpassword%5D"]
            )
        )
        return f"https://shop.example/p?page=2&{name}={secret}&x=1", (secret,)
    if kind == "dict":
        value = draw(
            st.sampled_from(["b'{}'", "('bob', '{}')", "['{}']", "{{'k': '{}'}}", "'{}'"])
        ).format(secret)
        key = draw(st.sampled_from(["password", "auth", "tokens", "credentials", "HTTP_COOKIE"]))
        return f"{{'user': 'bob', '{key}': {value}, 'n': 1}}", (secret,)
    value = draw(st.sampled_from(["b'{}'", "('bob', '{}')", "'{}'", "{}"])).format(secret)
    return f"Settings(password={value}, port=5432)", (secret,)


@settings(max_examples=300, deadline=None)
@given(before=filler, after=filler, sep1=separator, sep2=separator, item=planted())
def test_planted_secrets_never_survive_hostile_text(
    before: str, after: str, sep1: str, sep2: str, item: tuple[str, tuple[str, ...]]
) -> None:
    secret_text, parts = item
    text = f"{before}{sep1}{secret_text}{sep2}{after}"
    redacted = default_redactor.redact_text(text)
    for part in parts:
        assert part not in redacted
    assert REDACTED in redacted
    # What redaction returns is redacted again to itself (its results may be cached).
    assert default_redactor.redact_text(redacted) == redacted
    assert Redactor().redact_text(redacted) == redacted


@settings(max_examples=200, deadline=None)
@given(text=filler)
def test_hostile_text_alone_is_returned_whole_or_redacted(text: str) -> None:
    redacted = default_redactor.redact_text(text)
    assert Redactor().redact_text(redacted) == redacted
    if REDACTED not in redacted:
        assert redacted == text


def test_patterns_have_literal_triggers() -> None:
    """Every built-in pattern is skipped for a text without its trigger (the common case)."""
    from paste_exc.redact import DEFAULT_VALUE_PATTERNS

    for pattern in DEFAULT_VALUE_PATTERNS:
        assert pattern.triggers
    plain = "GET /orders/list HTTP/1.1 from 203.0.113.9 (Mozilla/5.0)"
    assert default_redactor.redact_text(plain) == plain
