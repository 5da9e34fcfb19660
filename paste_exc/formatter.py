"""Format: turn a collected exception into a report.

This module path is kept for code written against it; the names live in:

* :mod:`paste_exc.format.base`
* :mod:`paste_exc.format.extra`
* :mod:`paste_exc.format.formatter`
* :mod:`paste_exc.format.html.formatter`
* :mod:`paste_exc.format.html.paste`
* :mod:`paste_exc.format.visibility`
* :mod:`paste_exc.format.wrapping`
"""

from paste_exc.format.base import (
    AbstractFormatter as AbstractFormatter,
    trim_source_paths as trim_source_paths,
)
from paste_exc.format.extra import iter_extra_data as iter_extra_data
from paste_exc.format.formatter import (
    TextFormatter as TextFormatter,
    format_text as format_text,
)
from paste_exc.format.html.formatter import (
    HTMLFormatter as HTMLFormatter,
    format_html as format_html,
)
from paste_exc.format.html.paste import (
    error_css as error_css,
    error_re as error_re,
    hide_display_js as hide_display_js,
    html_quote as html_quote,
    pre_re as pre_re,
    str2html as str2html,
    whitespace_re as whitespace_re,
)
from paste_exc.format.visibility import (
    filter_frames as filter_frames,
    frame_visibility as frame_visibility,
    partition_frames as partition_frames,
)
from paste_exc.format.wrapping import (
    make_pre_wrappable as make_pre_wrappable,
    make_wrappable as make_wrappable,
    truncate as truncate,
)

__all__ = [
    "AbstractFormatter",
    "HTMLFormatter",
    "TextFormatter",
    "error_css",
    "error_re",
    "filter_frames",
    "format_html",
    "format_text",
    "frame_visibility",
    "hide_display_js",
    "html_quote",
    "iter_extra_data",
    "make_pre_wrappable",
    "make_wrappable",
    "partition_frames",
    "pre_re",
    "str2html",
    "trim_source_paths",
    "truncate",
    "whitespace_re",
]
