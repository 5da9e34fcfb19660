"""Format: Paste's HTML hook methods, for subclasses and callers written against Paste.

Part of stage three (catch → collect → **format** → report → respond).
Paste's ``HTMLFormatter`` built its report from small methods (``quote``,
``emphasize``, ``format_source_line``, ``zebra_table``, ...), each returning a
piece of HTML. Our :class:`~paste_exc.formatter.HTMLFormatter` renders its
report from templates and does not call them; :class:`PasteHTMLHooks` keeps
them, with Paste's names, signatures and markup, so code that calls them (or
assembles its own page from them) keeps working. Unlike Paste's, every piece
of text is escaped, the URL included, and a link is made only of an http(s) URL.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Final

from markupsafe import Markup

from paste_exc.format.base import combine_pieces
from paste_exc.format.extra import extra_repr
from paste_exc.format.html.build import url_is_linkable
from paste_exc.format.html.paste import error_css, hide_display_js, html_quote, str2html
from paste_exc.format.wrapping import make_wrappable
from paste_exc.model.report import ExtraRepr
from paste_exc.model.values import value_text

if TYPE_CHECKING:
    from paste_exc.model.report import ExceptionFrame

__all__ = ["PasteHTMLHooks"]

# Each piece of markup, once; ``{}`` are escaped unless given as Markup.
_PRE: Final = Markup("<pre>{}</pre>")
_IN_OBJECT: Final = Markup("In object: {}")
_REUSABLE: Final = Markup("{}{}{}")
_BOLD: Final = Markup("<b>{}</b>")
_LINKED_URL: Final = Markup('URL: <a href="{0}">{0}</a>')
_PLAIN_URL: Final = Markup("URL: {}")
_SOURCE_LINE: Final = Markup(
    'Module <span class="module" title="{}">{}</span>:<b>{}</b> in <code>{}</code>'
)
_LONG_SOURCE: Final = Markup(
    '<code style="display: none" class="source" source-type="long">'
    '<a class="switch_source" onclick="return switch_source(this, \'long\')" '
    'href="#">&lt;&lt;&nbsp; </a>{}</code>'
    '<code class="source" source-type="short">'
    '<a onclick="return switch_source(this, \'short\')" class="switch_source" '
    'href="#">&gt;&gt;&nbsp; </a>{}</code>'
)
_SHORT_SOURCE: Final = Markup('&nbsp;&nbsp;<code class="source">{}</code>')
_TITLED_PRE: Final = Markup("{}:<br><pre>{}</pre>")
_TITLED_TT: Final = Markup("{}: <tt>{}</tt>")
_TITLED_LIST: Final = Markup("{}: <tt>[<br>\n&nbsp; &nbsp; {}]</tt>")
_LIST_SEPARATOR: Final = Markup(",<br>&nbsp; &nbsp; ")
_LINE_SEPARATOR: Final = Markup("<br>\n")
_EXTRA_START: Final = Markup(
    "<script type=\"text/javascript\">\nshow_button('extra_data', 'extra data');\n</script>\n"
    '<div id="extra_data" class="hidden-data">\n'
)
_EXTRA_END: Final = Markup("</div>")
_TABLE_START: Final = Markup('<table class="{}">')
_TABLE_HEADER: Final = Markup('<tr class="header"><th colspan="2">{}</th></tr>')
_ROW_NAME: Final = Markup('<tr class="{}"><td>{}</td>')
_ROW_VALUE: Final = Markup("<td><tt>{}</tt></td></tr>")
_TABLE_END: Final = Markup("</table>")


#: Paste's HTML extra data was not cut; bounded here only by the value's own bounds.
_NO_LIMIT: Final = 2_000_000


def _q(value: object) -> Markup:
    """Escape *value* as Paste did (:func:`html.escape`, quotes included)."""
    return _html(html_quote(value))


def _html(text: str) -> Markup:
    """Mark *text* as HTML: only for what these hooks themselves made, or a caller's HTML."""
    return Markup(text)  # noqa: S704  markup by the hooks' contract (see the callers)


class PasteHTMLHooks:
    """Paste's ``HTMLFormatter`` pieces: each method returns HTML as a ``str``.

    Arguments named ``s``, ``expr``, ``warning``, ``info``, ``url``,
    ``filename``, ``title`` and ``value`` are text, and escaped; ``s`` of
    :meth:`emphasize` and the *lines* of :meth:`format_combine_lines` and
    :meth:`format_combine` are HTML (what the other hooks returned), as in Paste.

    .. versionadded:: 0.1
    """

    include_reusable: bool

    def quote(self, s: object) -> str:
        """Escape *s* for HTML."""
        return html_quote(s)

    def quote_long(self, s: object) -> str:
        """Escape a block of text into a ``<pre>``."""
        return str(_PRE.format(_q(s)))

    def emphasize(self, s: str) -> str:
        """Wrap HTML in ``<b>``."""
        return str(_BOLD.format(_html(s)))

    def format_sup_object(self, obj: str) -> str:
        """The ``In object: …`` line; *obj* is the collected repr."""
        return str(_IN_OBJECT.format(_html(self.emphasize(self.quote(obj)))))

    def format_sup_url(self, url: str) -> str:
        """The ``URL: …`` line, a link when the URL is an http(s) URL."""
        template = _LINKED_URL if url_is_linkable(url) else _PLAIN_URL
        return str(template.format(_q(url)))

    def format_sup_line_pos(self, line: int, column: int | None) -> str:
        """The emphasised ``Line N, Column M`` of a template supplement."""
        if column:
            return self.emphasize(self.quote(f"Line {line}, Column {column}"))
        return self.emphasize(self.quote(f"Line {line}"))

    def format_sup_expression(self, expr: str) -> str:
        """The emphasised ``In expression: …`` line."""
        return self.emphasize(self.quote(f"In expression: {expr}"))

    def format_sup_warning(self, warning: str) -> str:
        """One ``Warning: …`` line."""
        return self.quote(f"Warning: {warning}")

    def format_sup_info(self, info: str) -> list[str]:
        """A supplement's ``getInfo()``, in a ``<pre>``."""
        return [self.quote_long(info)]

    def format_source_line(self, filename: str, frame: ExceptionFrame) -> str:
        """Paste's ``Module mod:N in func`` line, the path in the title."""
        return str(
            _SOURCE_LINE.format(
                _q(filename),
                _q(frame.modname or "?"),
                _q(frame.lineno or "?"),
                _q(frame.name or "?"),
            )
        )

    def format_long_source(self, source: str, long_source: str) -> str:
        """The short and the long source of a frame, switched by ``switch_source``."""
        long_html = _html(str2html(long_source, False, 4, True))
        short_html = _html(str2html(source, True, 0, False))
        return str(_LONG_SOURCE.format(long_html, short_html))

    def format_source(self, source_line: str) -> str:
        """The stripped source line in a ``<code>``."""
        return str(_SHORT_SOURCE.format(_q(source_line.strip())))

    def format_exception_info(self, etype: str, evalue: str) -> str:
        """The emphasised ``Type: value`` line."""
        return self.emphasize(self.quote(f"{etype}: {evalue}"))

    def format_traceback_info(self, info: str) -> str:
        """A frame's ``__traceback_info__``, in a ``<pre>``."""
        return str(_PRE.format(_q(info)))

    def format_extra_data(self, importance: str, title: str, value: object) -> str:
        """One extra-data entry: a string, a table of a mapping, a list, or a repr."""
        if isinstance(value, str) and not isinstance(value, ExtraRepr):
            shown = self.pretty_string_repr(value)  # type: ignore[attr-defined]
            template = _TITLED_PRE if "\n" in shown else _TITLED_TT
            return str(template.format(_q(title), _q(shown)))
        if isinstance(value, Mapping):
            return self.zebra_table(title, value)
        if isinstance(value, list | tuple) and self.long_item_list(value):  # type: ignore[attr-defined]
            items = _LIST_SEPARATOR.join(_q(extra_repr(item, _NO_LIMIT)) for item in value)
            return str(_TITLED_LIST.format(_q(title), items))
        return str(_TITLED_TT.format(_q(title), _q(extra_repr(value, _NO_LIMIT))))

    def format_combine_lines(self, lines: Iterable[str]) -> str:
        """Join pieces of HTML with ``<br>`` and a line break."""
        return str(_LINE_SEPARATOR.join(_html(line) for line in lines))

    def format_combine(
        self,
        data_by_importance: Mapping[str, Sequence[tuple[str, str]]],
        lines: list[str],
        exc_info: str,
    ) -> str:
        """Assemble Paste's report from pieces of HTML; the extra data behind a button."""
        combined = combine_pieces(data_by_importance, lines, exc_info, ("normal", "supplemental"))
        extra = [value for _, value in data_by_importance.get("extra", ())]
        if extra:
            combined.append(str(_EXTRA_START))
            combined.extend(extra)
            combined.append(str(_EXTRA_END))
        text = self.format_combine_lines(combined)
        if getattr(self, "include_reusable", True):
            return str(_REUSABLE.format(_html(error_css), _html(hide_display_js), _html(text)))
        return text

    def zebra_table(
        self,
        title: str,
        rows: Mapping[object, object] | Iterable[tuple[object, object]],
        table_class: str = "variables",
    ) -> str:
        """A two-column table of *rows* (a mapping is sorted), values truncated and wrappable."""
        items = list(rows.items()) if isinstance(rows, Mapping) else list(rows)
        if isinstance(rows, Mapping):
            items.sort(key=lambda item: value_text(item[0]))
        table = [_TABLE_START.format(_q(table_class)), _TABLE_HEADER.format(_q(title))]
        for index, (name, value) in enumerate(items):
            shown = make_wrappable(self.quote(extra_repr(value)))
            table.append(_ROW_NAME.format("odd" if index % 2 == 0 else "even", _q(name)))
            table.append(_ROW_VALUE.format(_html(shown)))
        table.append(_TABLE_END)
        return str(Markup("\n").join(table))
