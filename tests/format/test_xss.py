"""Hostile text anywhere in the collected data stays inert text in every output."""

from __future__ import annotations

import dataclasses
import json
import re
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
from paste_exc.formatter import format_text
from paste_exc.model.environment import Distribution, EnvironmentInfo
from paste_exc.model.report import ExtraRepr
from paste_exc.model.request import RequestInfo

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


# -- the debug page's newer parts: index, editor links, repeats, request tables, environment --


def hostile_request() -> RequestInfo:
    return RequestInfo(
        method=PAYLOAD,
        url=JS_URL,
        query=((PAYLOAD, PAYLOAD),),
        headers=((PAYLOAD, PAYLOAD), ("User-Agent", PAYLOAD)),
        cookie_names=(PAYLOAD,),
        form=((PAYLOAD, PAYLOAD), ("n", ExtraRepr(PAYLOAD))),
        cgi_variables=((PAYLOAD, PAYLOAD),),
        wsgi_variables=((PAYLOAD, ExtraRepr(PAYLOAD)),),
    )


def hostile_page_data() -> CollectedException:
    data = hostile_data()
    long_value = PAYLOAD * 3
    frames = tuple(
        dataclasses.replace(
            data.frames[0],
            locals=(LocalVariable(PAYLOAD, long_value),),
            context_lines=tuple(PAYLOAD for _ in range(11)),
            context_start=1,
            lineno=6,
        )
        for _ in range(3)
    )
    environment = EnvironmentInfo(
        python_version=PAYLOAD,
        implementation=PAYLOAD,
        executable=PAYLOAD,
        platform=PAYLOAD,
        thread=PAYLOAD,
        time_utc=PAYLOAD,
        time_local=PAYLOAD,
        sys_path=(PAYLOAD, JS_URL),
        distributions=(Distribution(PAYLOAD, PAYLOAD, (PAYLOAD,)),),
    )
    context = dataclasses.replace(data, frames=frames[:1])
    return dataclasses.replace(data, frames=frames, context=context, environment=environment)


@pytest.mark.parametrize(
    "editor", ["vscode", "pycharm", "sublime", "emacs", "file", "https://ed.example/?f={path}"]
)
def test_payloads_inert_in_the_debug_pages_new_parts(editor: str) -> None:
    body = render_debug_page(hostile_page_data(), request=hostile_request(), editor_url=editor).body
    found = inspect(body)
    assert found.tags.count("script") == 1
    assert "img" not in found.tags
    for attr, value in found.attrs:
        assert not attr.startswith("on"), attr
        if attr == "href":
            scheme = value.split(":", 1)[0].lower() if ":" in value.split("#")[0] else ""
            assert scheme in (
                "",
                "http",
                "https",
                editor.split(":")[0].lower(),
                "vscode",
                "pycharm",
                "subl",
                "emacs",
                "file",
            ), value
            assert not value.strip().lower().startswith("javascript"), value
            assert "<" not in value, value
            assert '"' not in value, value
        if attr in ("id", "data-frame", "data-more"):
            assert re.fullmatch(r"[\w-]+", value), value
    assert "<script>alert" not in body
    assert "<img src=x" not in body
    text = "".join(found.text)
    for part in ("Frames", "Request", "Environment", "same as in frame 1", "While handling"):
        assert part in text, part
    assert text.count("alert('xss')") > 20  # shown, as text, in every table
    assert 'class="path editor" href="' in body


def test_payloads_inert_in_the_debug_text_and_json_blocks() -> None:
    data = hostile_page_data()
    text = format_text(data, request=hostile_request(), show_environment=True)
    assert "Environment" in text
    assert "Request" in text
    assert PAYLOAD in text  # plain text: shown as it is, nothing to interpret
    body = render_problem(data, debug=True, request=hostile_request()).body
    assert "<" not in body
    assert ">" not in body
    document = json.loads(body)
    assert document["request"]["cookies"] == [PAYLOAD]
    assert document["exception"]["environment"]["sys_path"] == [PAYLOAD, JS_URL]
