"""Format: Paste's text hook methods, each returning one piece of the text report.

Stage three of the pipeline (catch → collect → **format** → report → respond).
Paste's ``TextFormatter`` built its report from small methods (``quote``,
``emphasize``, ``format_source_line``, ``format_extra_data``, ...).
:class:`PasteTextHooks` keeps them, with Paste's names, signatures and text,
so that subclasses written against Paste keep working;
:class:`~paste_exc.format.formatter.TextFormatter` lays its report out from
them (which pieces, in which order).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from paste_exc.format.base import AbstractFormatter, combine_pieces
from paste_exc.format.extra import extra_repr, unshowable, value_rows
from paste_exc.model.report import ExtraRepr

if TYPE_CHECKING:
    from paste_exc.model.report import ExceptionFrame

__all__ = ["PasteTextHooks"]


class PasteTextHooks(AbstractFormatter):
    """Paste's ``TextFormatter`` pieces: each method returns plain text.

    .. versionadded:: 0.1
    """

    def quote(self, s: str) -> str:
        """Escape ``s`` for the output format (text: unchanged)."""
        return s

    def quote_long(self, s: str) -> str:
        """Escape a block of text for the output format (text: unchanged)."""
        return s

    def emphasize(self, s: str) -> str:
        """Mark ``s`` as emphasised (text: unchanged)."""
        return s

    def format_sup_object(self, obj: str) -> str:
        """The ``In object: …`` line; ``obj`` is the collected repr."""
        return f"In object: {self.emphasize(self.quote(obj))}"

    def format_sup_url(self, url: str) -> str:
        """The ``URL: …`` line."""
        return f"URL: {self.quote(url)}"

    def format_sup_line_pos(self, line: int, column: int | None) -> str:
        """The ``Line N, Column M`` line of a template supplement."""
        if column:
            return self.emphasize(f"Line {line}, Column {column}")
        return self.emphasize(f"Line {line}")

    def format_sup_expression(self, expr: str) -> str:
        """The ``In expression: …`` line."""
        return self.emphasize(f"In expression: {self.quote(expr)}")

    def format_sup_warning(self, warning: str) -> str:
        """One ``Warning: …`` line."""
        return f"Warning: {self.quote(warning)}"

    def format_sup_info(self, info: str) -> list[str]:
        """The lines of a supplement's ``getInfo()``."""
        return [self.quote_long(info)]

    def format_source_line(self, filename: str, frame: ExceptionFrame) -> str:
        """Paste's ``File '<path>', line N in <func>`` line."""
        return f"File {filename!r}, line {frame.lineno or '?'} in {frame.name or '?'}"

    def format_long_source(self, source: str, long_source: str) -> str:
        """The source of a frame (text: the one stripped line)."""
        return self.format_source(source)

    def format_source(self, source_line: str) -> str:
        """The stripped source line, indented by two spaces."""
        return "  " + self.quote(source_line.strip())

    def format_exception_info(self, etype: str, evalue: str) -> str:
        """The ``Type: value`` line."""
        return self.emphasize(f"{self.quote(etype)}: {self.quote(evalue)}")

    def format_traceback_info(self, info: str) -> str:
        """A frame's ``__traceback_info__``."""
        return info

    def format_combine(
        self,
        data_by_importance: Mapping[str, Sequence[tuple[str, str]]],
        lines: list[str],
        exc_info: str,
    ) -> str:
        """Assemble the report: important data, frames, exception, other data."""
        return self.format_combine_lines(combine_pieces(data_by_importance, lines, exc_info))

    def format_combine_lines(self, lines: list[str]) -> str:
        """Join the pieces of the report."""
        return "\n".join(lines)

    def format_extra_data(self, importance: str, title: str, value: object) -> str:
        """One extra-data entry, as Paste wrote it.

        A string as its repr (triple-quoted under its title when multi-line); a
        mapping as a titled section of ``name: repr`` lines, sorted; a list or
        tuple with three or more long items one item per line; anything else
        ``title: repr``. Every repr is Paste's (an object's repr as ``repr()``
        gave it, see :func:`~paste_exc.format.extra.extra_repr`), cut by
        :func:`truncate`.
        """
        try:
            return self._extra_text(title, value)
        except Exception as error:  # noqa: BLE001  a hostile value from a decorator
            return f"{title}: {unshowable(error)}"

    def _extra_text(self, title: str, value: object) -> str:
        if isinstance(value, str) and not isinstance(value, ExtraRepr):
            shown = self.pretty_string_repr(str.__str__(value))
            return f"{title}:\n{shown}" if "\n" in shown else f"{title}: {shown}"
        if isinstance(value, Mapping):
            rows = value_rows(value)
            section = ["\n", title, "-" * len(title)]
            section.extend(f"  {name}: {item}" for name, item in rows)
            return "\n".join(section)
        if isinstance(value, list | tuple) and self.long_item_list(value):
            items = [extra_repr(item) for item in value]
            return f"{title}: [\n    " + ",\n    ".join(items) + "]"
        return f"{title}: {extra_repr(value)}"
