"""``paste_exc.__all__``: every public name of the package, sorted."""

from __future__ import annotations
import __future__

import inspect

import paste_exc


def public_names() -> set[str]:
    return {
        name
        for name in dir(paste_exc)
        if not name.startswith("_")
        and not inspect.ismodule(getattr(paste_exc, name))
        and not isinstance(getattr(paste_exc, name), __future__._Feature)
    }


def test_all_is_complete() -> None:
    assert public_names() == set(paste_exc.__all__) - {"__version__"}


def test_all_is_sorted_and_without_repeats() -> None:
    assert paste_exc.__all__ == sorted(set(paste_exc.__all__))


def test_every_name_in_all_is_there() -> None:
    for name in paste_exc.__all__:
        assert getattr(paste_exc, name) is not None, name
