"""``trim_source_paths`` is parsed by one function, with one rule set, everywhere.

The formatters, the middleware's keyword and the ini string PasteDeploy hands
over take the same forms and refuse the same bad values, naming the option.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import capture
from paste.deploy import loadfilter

from paste_exc.config import astrimpaths as as_trim_source_paths, resolve_settings
from paste_exc.errormiddleware import ErrorMiddleware, make_error_middleware
from paste_exc.errors import ConfigError
from paste_exc.format import documents as documents
from paste_exc.formatter import HTMLFormatter, TextFormatter, format_html, format_text

PAIRS = (("/srv/app/", "app/"), ("/usr/lib/", "lib/"))


def app(environ: object, start_response: object) -> list[bytes]:
    return []


def pairs_generator() -> Iterator[tuple[str, str]]:
    yield from PAIRS


#: Every accepted form, and what it means.
FORMS: dict[str, tuple[object, tuple[tuple[str, str], ...]]] = {
    "dict": ({"/srv/app/": "app/", "/usr/lib/": "lib/"}, PAIRS),
    "list of tuples": (list(PAIRS), PAIRS),
    "list of lists": ([list(pair) for pair in PAIRS], PAIRS),
    "tuple of tuples": (PAIRS, PAIRS),
    "generator of pairs": (pairs_generator(), PAIRS),
    "ini, spaces": ("/srv/app/=app/ /usr/lib/=lib/", PAIRS),
    "ini, commas": ("/srv/app/=app/, /usr/lib/=lib/", PAIRS),
    "ini, lines": ("\n  /srv/app/=app/\n  /usr/lib/=lib/\n", PAIRS),
    "list of ini entries": (["/srv/app/=app/", "/usr/lib/=lib/"], PAIRS),
    "ini, empty replacement": ("/srv/app/=", (("/srv/app/", ""),)),
    "ini, = in the replacement": ("/srv/app/=a=b", (("/srv/app/", "a=b"),)),
    "none": (None, ()),
    "empty string": ("", ()),
    "empty list": ([], ()),
    "empty dict": ({}, ()),
}


def through_formatter(value: object) -> tuple[tuple[str, str], ...]:
    text: tuple[tuple[str, str], ...] = TextFormatter(trim_source_paths=value).trim_source_paths  # type: ignore[arg-type]
    html = HTMLFormatter(trim_source_paths=fresh(value)).trim_source_paths  # type: ignore[arg-type]
    assert html == text
    return text


def through_middleware(value: object) -> tuple[tuple[str, str], ...]:
    return ErrorMiddleware(app, trim_source_paths=value).settings.trim_source_paths


def through_ini(value: object) -> tuple[tuple[str, str], ...]:
    middleware = make_error_middleware(app, {"debug": "false"}, trim_source_paths=value)
    return middleware.settings.trim_source_paths


def through_resolve(value: object) -> tuple[tuple[str, str], ...]:
    return resolve_settings({}, {"trim_source_paths": value}).trim_source_paths


ENTRY_POINTS: dict[str, Callable[[object], tuple[tuple[str, str], ...]]] = {
    "parser": as_trim_source_paths,
    "formatters": through_formatter,
    "middleware": through_middleware,
    "ini": through_ini,
    "resolve_settings": through_resolve,
}


def fresh(value: object) -> object:
    """A generator can be read once: make a new one for each use."""
    return pairs_generator() if isinstance(value, Iterator) else value


@pytest.mark.parametrize("entry", ENTRY_POINTS.values(), ids=ENTRY_POINTS.keys())
@pytest.mark.parametrize("form", FORMS.values(), ids=FORMS.keys())
def test_every_form_means_the_same_everywhere(
    form: tuple[object, tuple[tuple[str, str], ...]],
    entry: Callable[[object], tuple[tuple[str, str], ...]],
) -> None:
    value, expected = form
    assert entry(fresh(value)) == expected


def test_the_result_is_plain_strings() -> None:
    class Text(str):
        pass

    (pair,) = as_trim_source_paths({Text("/srv/"): Text("x/")})
    assert [type(part) for part in pair] == [str, str]


class RaisingIterable:
    def __iter__(self) -> Iterator[object]:
        raise RuntimeError("cannot iterate")


BAD: dict[str, object] = {
    "no '='": "/srv/app",
    "spaces around '='": "/srv/app = app/",
    "empty prefix in ini": "=app/",
    "empty prefix in a pair": [("", "app/")],
    "empty prefix in a dict": {"": "app/"},
    "one-item pair": [("/srv",)],
    "three-item pair": [("/srv", "a", "b")],
    "number in a pair": [("/srv", 1)],
    "number as a dict value": {"/srv": 1},
    "number as a dict key": {1: "x"},
    "bytes": b"/srv=x",
    "bytes entry": [b"/srv=x"],
    "bytes in a pair": [(b"/srv", b"x")],
    "an integer": 5,
    "an object entry": [object()],
    "a set of strings": {"/srv=x"} | {"/usr=y"},
    "an iterable that raises": RaisingIterable(),
}


@pytest.mark.parametrize("entry", ENTRY_POINTS.values(), ids=ENTRY_POINTS.keys())
@pytest.mark.parametrize("bad", BAD.values(), ids=BAD.keys())
def test_bad_values_are_refused_naming_the_option(
    bad: object, entry: Callable[[object], object]
) -> None:
    with pytest.raises(ConfigError, match=r"^trim_source_paths: ") as caught:
        entry(bad)
    assert caught.value.option == "trim_source_paths"
    assert isinstance(caught.value, ValueError)


def test_the_rendering_functions_take_the_same_forms() -> None:
    data = capture(lambda: int("x"))
    (frame,) = data.frames
    prefix = frame.filename.rsplit("/", 1)[0] + "/"
    for value in ({prefix: "APP/"}, f"{prefix}=APP/", [(prefix, "APP/")], [f"{prefix}=APP/"]):
        assert "APP/test_trim_source_paths.py" in format_text(data, trim_source_paths=value)
        assert "APP/test_trim_source_paths.py" in format_html(data, trim_source_paths=value)
        for render in (documents.render_debug_page, documents.render_fragment):
            page = render(data, trim_source_paths=value)  # type: ignore[arg-type]
            assert "APP/test_trim_source_paths.py" in page.body
            assert prefix not in page.body
        email = documents.render_email_html(data, trim_source_paths=value)
        assert "APP/test_trim_source_paths.py" in email
        assert prefix not in email
        document = documents.exception_document(data, trim_source_paths=value)  # type: ignore[arg-type]
        assert document["frames"][0]["filename"] == "APP/test_trim_source_paths.py"  # type: ignore[index]


@pytest.mark.parametrize(
    "render",
    [
        lambda data, bad: format_text(data, trim_source_paths=bad),
        lambda data, bad: format_html(data, trim_source_paths=bad),
        lambda data, bad: documents.render_debug_page(data, trim_source_paths=bad),
        lambda data, bad: documents.render_fragment(data, trim_source_paths=bad),
        lambda data, bad: documents.render_email_html(data, trim_source_paths=bad),
        lambda data, bad: documents.exception_document(data, trim_source_paths=bad),
    ],
    ids=["format_text", "format_html", "debug page", "fragment", "email", "JSON"],
)
def test_the_rendering_functions_refuse_the_same_bad_values(render: Callable[..., Any]) -> None:
    data = capture(lambda: int("x"))
    for bad in ("/srv/app", {"/srv": 1}, [("/srv",)]):
        with pytest.raises(ConfigError, match="trim_source_paths"):
            render(data, bad)


def test_the_documented_ini_form_through_pastedeploy(tmp_path: Path) -> None:
    ini = tmp_path / "errors.ini"
    lines = ["/srv/app/=app/", "/usr/lib/python3.12/=stdlib/", "/opt/venv/site-packages/="]
    section = "[filter:errors]\nuse = egg:paste_exc#error_catcher\ntrim_source_paths ="
    ini.write_text("\n    ".join([section, *lines]) + "\n")
    middleware = loadfilter(f"config:{ini}", name="errors")(app)
    assert isinstance(middleware, ErrorMiddleware)
    assert middleware.settings.trim_source_paths == (
        ("/srv/app/", "app/"),
        ("/usr/lib/python3.12/", "stdlib/"),
        ("/opt/venv/site-packages/", ""),
    )
    ini.write_text(ini.read_text().replace("/srv/app/=app/", "/srv/app/ = app/"))
    with pytest.raises(ConfigError, match="trim_source_paths"):
        loadfilter(f"config:{ini}", name="errors")(app)
