"""Hostile text anywhere in the collected data stays inert text in every output."""

from __future__ import annotations

import json
import sys
from html.parser import HTMLParser

import pytest

from paste_exc.collector import (
    CollectedException,
    ExceptionFrame,
    LocalVariable,
    SupplementaryData,
    collect_exception,
)
from paste_exc.format.documents import (
    render_appended,
    render_debug_page,
    render_email_html,
    render_fragment,
    render_problem,
    render_safe_page,
)
from paste_exc.format.html.formatter import format_html

SCRIPT = "<script>alert('xss')</script>"
IMG = '"><img src=x onerror=alert(1)>'
JS_URL = "javascript:alert(document.cookie)"
PAYLOAD = f"{SCRIPT}{IMG}'{JS_URL}"


class Inspector(HTMLParser):
    """Collects every tag and attribute a browser would see."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend((name, value or "") for name, value in attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def inspect(body: str) -> Inspector:
    parser = Inspector()
    parser.feed(body)
    parser.close()
    return parser


def hostile_data() -> CollectedException:
    supplement = SupplementaryData(
        object=PAYLOAD,
        source_url=JS_URL,
        line=1,
        column=2,
        expression=PAYLOAD,
        warnings=(PAYLOAD,),
        info=PAYLOAD,
    )
    frame = ExceptionFrame(
        modname=PAYLOAD,
        filename=f"/srv/{PAYLOAD}.py",
        lineno=3,
        name=PAYLOAD,
        qualname=PAYLOAD + ".q",
        supplement=supplement,
        supplement_exception=PAYLOAD,
        traceback_info=PAYLOAD,
        context_lines=(PAYLOAD, f"x = '{PAYLOAD}'", PAYLOAD),
        context_start=2,
        colno=0,
        end_colno=5,
        locals=(LocalVariable(PAYLOAD, PAYLOAD), LocalVariable("token", "[REDACTED]", True)),
    )
    return CollectedException(
        frames=(frame,),
        exception_type=PAYLOAD,
        exception_module=PAYLOAD,
        exception_value=PAYLOAD,
        identification_code=PAYLOAD,
        occurrence_id=PAYLOAD,
        notes=(PAYLOAD,),
        request_method=PAYLOAD,
        request_url=JS_URL,
        extra_data={
            ("important", PAYLOAD): [PAYLOAD],
            ("normal", "table " + PAYLOAD): [{PAYLOAD: PAYLOAD}],
            ("extra", "list " + PAYLOAD): [(PAYLOAD, PAYLOAD)],
        },
        collection_notes=(PAYLOAD,),
        reporter_errors=(PAYLOAD,),
    )


def collected_hostile() -> CollectedException:
    """The same payloads going through the real collector."""

    class Sup:
        source_url = "http://example.com/?q=" + PAYLOAD
        object = PAYLOAD
        expression = PAYLOAD
        warnings = (PAYLOAD,)

        def getInfo(self) -> str:
            return PAYLOAD

        def extraData(self) -> dict[tuple[str, str], object]:
            return {("normal", PAYLOAD): {PAYLOAD: PAYLOAD}}

    class Hostile:
        def __repr__(self) -> str:
            return PAYLOAD

    def fail() -> None:
        __traceback_info__ = PAYLOAD
        __traceback_supplement__ = (Sup,)
        local = Hostile()  # noqa: F841
        exc = ValueError(PAYLOAD)
        exc.add_note(PAYLOAD)
        raise exc

    try:
        fail()
    except ValueError:
        return collect_exception(*sys.exc_info(), collect_locals=True)
    raise AssertionError("did not raise")


def html_outputs(data: CollectedException) -> dict[str, tuple[str, int]]:
    """Each HTML output with the number of <script> elements it may have (ours)."""
    debug = render_debug_page(data)
    return {
        "format_html": (format_html(data, include_hidden_frames=True), 1),
        "debug_page": (debug.body, 1),
        "fragment": (render_fragment(data).body, 0),
        "safe_page": (render_safe_page(data, error_message=PAYLOAD).body, 0),
        "email": (render_email_html(data), 0),
        "appended": (render_appended(data, content_type="text/html", debug=True).decode(), 0),
        "appended_safe": (
            render_appended(data, content_type="text/html", debug=False).decode(),
            0,
        ),
    }


@pytest.mark.parametrize("make", [hostile_data, collected_hostile], ids=["by-hand", "collected"])
def test_payloads_inert_in_every_html_output(make: object) -> None:
    data = make()  # type: ignore[operator]
    for name, (body, scripts) in html_outputs(data).items():
        found = inspect(body)
        assert found.tags.count("script") == scripts, name
        assert "img" not in found.tags, name
        for attr, value in found.attrs:
            assert not attr.startswith("on"), (name, attr)
            if attr in ("href", "src", "action", "formaction"):
                assert not value.strip().lower().startswith("javascript"), (name, value)
        assert "<script>alert" not in body, name
        assert "<img src=x" not in body, name
        text = "".join(found.text)
        if name not in ("safe_page", "appended_safe"):
            assert "alert('xss')" in text, name  # shown, as text


def test_safe_page_shows_only_the_escaped_message() -> None:
    body = render_safe_page(hostile_data(), error_message=PAYLOAD).body
    assert "&lt;script&gt;alert(" in body
    assert "onerror=alert(1)&gt;" in body


@pytest.mark.parametrize("make", [hostile_data, collected_hostile], ids=["by-hand", "collected"])
@pytest.mark.parametrize("debug", [True, False])
def test_payloads_inert_in_json(make: object, debug: bool) -> None:
    data = make()  # type: ignore[operator]
    page = render_problem(data, debug=debug)
    assert "<" not in page.body
    assert ">" not in page.body
    doc = json.loads(page.body)
    if debug:
        assert PAYLOAD in doc["exception"]["message"]


def test_payloads_in_plain_text_append_are_text() -> None:
    out = render_appended(collected_hostile(), content_type="text/plain", debug=True)
    assert PAYLOAD.encode() in out


class Markupish(str):
    """A str subclass that claims to be safe markup: it must still be escaped."""

    def __html__(self) -> str:
        return SCRIPT


class UnprintableKey:
    def __str__(self) -> str:
        raise RuntimeError("no str")

    def __repr__(self) -> str:
        raise RuntimeError("no repr")

    def __lt__(self, other: object) -> bool:
        raise RuntimeError("no order")


def test_str_subclasses_and_hostile_keys_in_extra_data() -> None:
    data = hostile_data()
    data.extra_data[("important", Markupish("title"))] = [Markupish("text")]
    data.extra_data[("normal", "listed")] = [[Markupish("item")]]
    data.extra_data[("normal", "table")] = [{Markupish("name"): Markupish("cell")}]
    data.extra_data[("normal", "hostile")] = [{UnprintableKey(): 1}]
    for name, (body, scripts) in html_outputs(data).items():
        found = inspect(body)
        assert found.tags.count("script") == scripts, name
        assert "<script>alert" not in body, name
    shown = format_html(data)
    for text in ("title", "text", "item", "name", "cell", "hostile"):
        assert text in shown
