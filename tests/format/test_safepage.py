"""The default safe page is rendered once per message; each request only fills in its codes."""

from __future__ import annotations

import dataclasses

import pytest

from paste_exc.format import safepage
from paste_exc.format.templates import render
from paste_exc.model.report import CollectedException

HOSTILE = '<script>alert("x")</script> & \u202e'


def report(occurrence_id: str, code: str = "E-AB12C") -> CollectedException:
    return dataclasses.replace(
        CollectedException(), occurrence_id=occurrence_id, identification_code=code
    )


@pytest.mark.parametrize("message", ["Sorry.", HOSTILE, "{{ nonce }} {% raw %}"])
def test_the_filled_in_page_is_the_template_rendered_whole(message: str) -> None:
    exc_data = report("8YXQ-PK32-268C", code=HOSTILE)
    page = safepage.render_safe_page(exc_data, error_message=message)
    whole = render(
        "safe_page.html",
        title="Internal Server Error",
        status=500,
        error_message=message,
        identification_code=exc_data.identification_code,
        nonce=page.nonce,
        **safepage.occurrence(exc_data),
    )
    assert page.body == safepage.clean_text(whole)
    assert "<script>" not in page.body
    assert page.nonce
    assert f'nonce="{page.nonce}"' in page.body


def test_one_render_per_message_in_a_storm(monkeypatch: pytest.MonkeyPatch) -> None:
    safepage._safe_page_shell.cache_clear()
    calls: list[str] = []

    def counting(name: str, **values: object) -> str:
        calls.append(name)
        return render(name, **values)

    monkeypatch.setattr(safepage, "render", counting)
    bodies = [
        safepage.render_safe_page(report(f"OCC-{n}"), error_message="Down for a moment.").body
        for n in range(5)
    ]
    assert calls == ["safe_page.html"]
    assert all(f"OCC-{n}" in body for n, body in enumerate(bodies))
    assert len(set(bodies)) == 5  # each request's own codes, date and nonce
