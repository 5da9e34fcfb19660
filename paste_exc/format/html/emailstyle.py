"""Format: the inline styles of the HTML email, for mail clients that drop ``<style>``.

Part of the format stage, used by :func:`paste_exc.format.pages.render_email_html`.
"""

from __future__ import annotations

__all__ = ["EMAIL_STYLES"]

#: CSS for mail clients, put in ``style`` attributes by the ``st()`` macro.
EMAIL_STYLES: dict[str, str] = {
    "report": "font-family:Helvetica,Arial,sans-serif;font-size:14px;color:#1f2328;",
    "headline": "margin:0 0 8px;padding:12px;background:#fff0f0;border-left:6px solid #c62828;",
    "exc-type": "font-size:18px;font-weight:bold;color:#b71c1c;",
    "exc-msg": "font-size:16px;white-space:pre-wrap;font-family:Menlo,Consolas,monospace;",
    "meta": "color:#555;font-size:13px;margin:4px 0;",
    "section": "margin:16px 0;",
    "connector": "font-style:italic;color:#555;margin:12px 0;",
    "frame": "margin:8px 0;padding:6px 8px;border:1px solid #d0d7de;border-radius:4px;",
    "frame-lib": "margin:8px 0;padding:6px 8px;border:1px solid #eee;color:#666;",
    "frame-head": "font-size:13px;margin:0 0 4px;",
    "path": "color:#666;font-size:12px;",
    "code": "margin:0;padding:4px;background:#f6f8fa;font-family:Menlo,Consolas,monospace;"
    "font-size:12px;white-space:pre;overflow:auto;",
    "line-current": "background:#ffe8a3;display:block;",
    "line": "display:block;",
    "lineno": "color:#999;",
    "table": "border-collapse:collapse;font-size:12px;margin:4px 0;",
    "th": "text-align:left;background:#eaeef2;padding:2px 6px;",
    "td": "border-top:1px solid #eee;padding:2px 6px;vertical-align:top;"
    "font-family:Menlo,Consolas,monospace;word-break:break-all;",
    "note": "color:#555;font-size:13px;",
    "pre": "white-space:pre-wrap;font-family:Menlo,Consolas,monospace;font-size:12px;margin:4px 0;",
    "h2": "font-size:15px;margin:16px 0 6px;",
}
