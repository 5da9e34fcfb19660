"""Model: inert copies of user values, as Paste kept a supplement's extra data.

Plain data (strings bounded and redacted, numbers, booleans, ``None``, and
lists, tuples and dicts of those) is copied; anything else becomes its bounded
repr. Used when collecting and when a request's data is read, never calling
back into a stage.
"""

from __future__ import annotations

from typing import Final

from paste_exc.model.report import (
    REPR_LIMIT,
    VALUE_LIMIT,
    ExtraRepr,
    ExtraValue,
)
from paste_exc.redact.engine import REDACTED, Redactor
from paste_exc.redact.saferepr import safe_repr, safe_str

__all__ = []


#: The scalar types kept as themselves (exact types: a subclass may be anything).
_SCALARS: Final = (int, float, bool, type(None))
#: How deep lists, tuples and dicts inside an extra-data value are copied.
MAX_PLAIN_DEPTH: Final = 4


#: The most items (at every depth together) copied of one extra-data value.
MAX_PLAIN_ITEMS: Final = 1000


def plain_copy(value: object, redactor: Redactor, depth: int = 0) -> ExtraValue:
    """Return *value* as Paste kept it, made inert: plain data copied, the rest its repr.

    Strings (bounded, redacted), numbers, booleans and ``None`` stay
    themselves; lists, tuples and dicts become copies of the same type whose
    items are kept by the same rule (up to :data:`MAX_PLAIN_DEPTH` deep and
    :data:`MAX_PLAIN_ITEMS` items in all, strings inside them bounded to
    1,000 characters; a dict's value under a secret name is ``[REDACTED]``);
    anything else, a larger or deeper container too, becomes its bounded
    repr, an :class:`~paste_exc.collector.ExtraRepr`. Never raises.

    :param value: what a supplement's ``extraData()`` gave
    :param redactor: redacts every text
    :param depth: how deep in containers *value* sits (0: the value itself)
    """
    return _plain(value, redactor, depth, [MAX_PLAIN_ITEMS])


def _plain(value: object, redactor: Redactor, depth: int, budget: list[int]) -> ExtraValue:
    kind = type(value)
    if kind is str:
        return redactor.redact_text(safe_str(value, REPR_LIMIT if depth else VALUE_LIMIT))
    if kind is ExtraRepr:  # already inert (request data made so once): kept as the repr it is
        return ExtraRepr(redactor.redact_text(str.__str__(value)[:REPR_LIMIT]))
    if kind in _SCALARS:
        return value  # type: ignore[return-value]  # int, float, bool or None
    if kind in (list, tuple, dict) and depth < MAX_PLAIN_DEPTH:
        try:
            return _container_copy(value, redactor, depth + 1, budget)
        except Exception:  # noqa: BLE001, S110  too big, or cannot be read: its repr
            pass
    return ExtraRepr(redactor.redact_text(safe_repr(value, REPR_LIMIT)))


def _container_copy(value: object, redactor: Redactor, depth: int, budget: list[int]) -> ExtraValue:
    size = len(value)  # type: ignore[arg-type]
    if size > budget[0]:
        raise ValueError("too many items to copy")
    budget[0] -= size
    if type(value) is dict:
        copied: dict[ExtraValue, ExtraValue] = {}
        for key, item in list(value.items()):
            name = _plain(key, redactor, MAX_PLAIN_DEPTH, budget)  # a scalar or its repr
            secret = redactor.is_secret_name(key if issubclass(type(key), str) else name)
            copied[name] = ExtraRepr(REDACTED) if secret else _plain(item, redactor, depth, budget)
        return copied
    items = [_plain(item, redactor, depth, budget) for item in list(value)]  # type: ignore[call-overload]
    return items if type(value) is list else tuple(items)
