"""paste_exc.report.sdk.scrub: the shared redactor over a whole SDK payload."""

from __future__ import annotations

import copy
import datetime
from typing import Any

import pytest
import sdk_leaks

from paste_exc.errors import ConfigError
from paste_exc.redact import REDACTED, Redactor, default_redactor
from paste_exc.report.sdk.scrub import (
    MAX_CHARACTERS,
    MAX_DEPTH,
    MAX_VALUES,
    TEXT_LIMIT,
    TOO_DEEP,
    TOO_MANY,
    PayloadRedactor,
    pick_redactor,
)


@pytest.fixture
def payload() -> PayloadRedactor:
    return PayloadRedactor(default_redactor)


@pytest.mark.parametrize(
    "value",
    [
        b"raw-bytes-pw",
        ("bob", "tuple-pw"),
        ["list-pw"],
        {"nested": "dict-pw"},
        42,
        None,
    ],
)
def test_a_secret_named_key_replaces_the_whole_value_whatever_its_type(
    payload: PayloadRedactor, value: object
) -> None:
    for key in ("password", "auth", "tokens", "credentials", "X-Api-Key", "clientSecret"):
        assert payload.redact({"outer": {key: value}}) == {"outer": {key: REDACTED}}


def test_every_text_and_key_gets_the_value_patterns(payload: PayloadRedactor) -> None:
    redacted = payload.redact(
        {
            "message": sdk_leaks.DB_URL,
            "list": [f"Authorization: Bearer {sdk_leaks.BEARER}", 3, True],
            f"key {sdk_leaks.DB_URL}": "v",
            "depth": [[{"x": f"password={sdk_leaks.LOCAL_PASSWORD}"}]],
        }
    )
    assert sdk_leaks.find_secrets(redacted) == []
    assert redacted["message"] == f"postgres://app:{REDACTED}@db/x"  # type: ignore[index]
    assert redacted["list"][1:] == [3, True]  # type: ignore[index]


def test_cookie_mappings_keep_their_names(payload: PayloadRedactor) -> None:
    assert payload.redact({"cookies": {"sessionid": "s", "theme": "dark"}}) == {
        "cookies": {"sessionid": REDACTED, "theme": REDACTED}
    }
    assert payload.redact({"Cookie": "sessionid=s"}) == {"Cookie": REDACTED}


def test_sentry_metadata_is_not_taken_for_secrets(payload: PayloadRedactor) -> None:
    meta = {"_meta": {"request": {"password": {"": {"len": 120}}}}}
    assert payload.redact(meta) == meta


def test_the_input_is_not_changed(payload: PayloadRedactor) -> None:
    original = {"password": "x", "list": [sdk_leaks.DB_URL], "when": datetime.datetime.now()}
    kept = copy.deepcopy(original)
    redacted = payload.redact(original)
    assert original == kept
    assert redacted["when"] == original["when"]  # type: ignore[index]


def test_objects_become_plain_data_before_redaction() -> None:
    class Settings:
        def __init__(self) -> None:
            self.password = sdk_leaks.LOCAL_PASSWORD
            self.url = sdk_leaks.DB_URL

    def to_plain(value: object) -> object:
        return dict(vars(value))

    redacted = PayloadRedactor(default_redactor, to_plain=to_plain).redact({"s": Settings()})
    assert redacted == {"s": {"password": REDACTED, "url": f"postgres://app:{REDACTED}@db/x"}}


def test_a_hostile_object_becomes_its_redacted_repr() -> None:
    class Hostile:
        def __repr__(self) -> str:
            return f"<Hostile {sdk_leaks.DB_URL}>"

    def to_plain(value: object) -> object:
        raise RuntimeError("cannot encode")

    redacted = PayloadRedactor(default_redactor, to_plain=to_plain).redact([Hostile()])
    assert redacted == [f"<Hostile postgres://app:{REDACTED}@db/x>"]


def test_too_deep_fails_closed(payload: PayloadRedactor) -> None:
    deep: dict[str, Any] = {}
    node = deep
    for _ in range(MAX_DEPTH + 10):
        node["a"] = {}
        node = node["a"]
    node["a"] = sdk_leaks.DB_URL
    assert sdk_leaks.URL_PASSWORD not in repr(payload.redact(deep))
    assert TOO_DEEP in repr(payload.redact(deep))


def test_too_many_values_fail_closed(payload: PayloadRedactor) -> None:
    many = {"values": [f"v{index}" for index in range(MAX_VALUES + 10)]}
    redacted = payload.redact(many)
    items = redacted["values"]  # type: ignore[index]
    assert items[-1] == TOO_MANY
    assert len(items) <= MAX_VALUES + 1


def test_too_much_text_fails_closed(payload: PayloadRedactor) -> None:
    count = MAX_CHARACTERS // TEXT_LIMIT + 5
    redacted = payload.redact(["x" * TEXT_LIMIT] * count)
    assert redacted[-1] == TOO_MANY  # type: ignore[index]


def test_a_long_text_is_cut_after_redaction(payload: PayloadRedactor) -> None:
    for offset in (60, 30, 10, 0):  # the URL before, across and after the cut
        text = "x" * (TEXT_LIMIT - offset) + f" {sdk_leaks.DB_URL} " + "y" * 40_000
        cut = payload.text(text)
        assert len(cut) <= TEXT_LIMIT + 40
        assert cut.endswith(f"…[cut: {len(text)} characters]")
        assert sdk_leaks.URL_PASSWORD[:4] not in cut


def test_pick_redactor() -> None:
    assert pick_redactor(None) is default_redactor
    own = Redactor(extra_names=["ssn"])
    assert pick_redactor(own) is own
    assert pick_redactor("paste_exc.redact:default_redactor") is default_redactor
    with pytest.raises(ConfigError, match="expected a Redactor") as info:
        pick_redactor("os:sep")
    assert info.value.option == "redactor"
