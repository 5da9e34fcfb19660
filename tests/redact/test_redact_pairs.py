"""The name pass on (name, value) pairs: WebOb's MultiDict of a parsed form, header lists."""

from __future__ import annotations

import warnings

import pytest

from paste_exc import REDACTED, Redactor, collect_exception, format_text

with warnings.catch_warnings():  # webob imports the deprecated cgi module (Python 3.11)
    warnings.simplefilter("ignore", DeprecationWarning)
    from webob.multidict import MultiDict

SECRET = "S3C" + "RET"  # built, so that no source line shown holds it


@pytest.mark.parametrize(
    "pair",
    [
        f"('api_key', '{SECRET}')",
        f'("token", "{SECRET}")',
        f"('credit_card', b'{SECRET}')",
        f"('X-Auth-Token', ['{SECRET}'])",
        f"('session',  '{SECRET}')",
    ],
)
def test_secret_named_pairs_lose_their_value(pair: str) -> None:
    text = Redactor().redact_text(f"MultiDict([('name', 'ann'), {pair}])")
    assert SECRET not in text
    assert REDACTED in text
    assert "('name', 'ann')" in text


def test_other_pairs_and_calls_are_left_alone() -> None:
    redactor = Redactor()
    for text in ("[('page', '2'), ('user', 'ann')]", "f('a', 'token', 'x')", "('token',)"):
        assert redactor.redact_text(text) == text


def test_a_parsed_form_in_a_local_is_redacted_in_the_text_report() -> None:
    form = MultiDict([("quantity", "3"), ("api_key", SECRET), ("token", SECRET)])
    environ = {"webob._parsed_post_vars": (form, None)}
    try:
        raise ValueError(len(environ))
    except ValueError as error:
        report = collect_exception(type(error), error, error.__traceback__, collect_locals=True)
    text = format_text(report)
    assert "'quantity', '3'" in text
    assert SECRET not in text
