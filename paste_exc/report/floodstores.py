"""Where flood control keeps its windows: in memory, in SQLite, in Redis.

Every store answers one atomic question, :meth:`FloodStore.hit`: "an
occurrence of *code* under *key* happened at *now*; is it the first of a new
window?" A store shared by many processes (SQLite for the workers of one
host, Redis for many hosts) answers it for all of them at once, so exactly
one of them sends.

.. versionadded:: 0.1
"""

from __future__ import annotations

import json
import sqlite3
import threading
from abc import ABCMeta, abstractmethod
from dataclasses import dataclass, field
from typing import Any

__all__ = ["FloodDecision", "FloodStore", "MemoryFloodStore", "RedisFloodStore", "SQLiteFloodStore"]


@dataclass(frozen=True, slots=True)
class FloodDecision:
    """The answer of a store for one occurrence.

    When ``send`` is true, the other fields describe the occurrences held back
    in the window that just ended: how many, when the first and the last
    happened (seconds since the epoch) and, per identification code, how many
    (sorted by code).
    """

    send: bool
    held_back: int = 0
    first_held: float | None = None
    last_held: float | None = None
    codes: tuple[tuple[str, int], ...] = ()


class FloodStore(metaclass=ABCMeta):
    """The state of flood-control windows, keyed by a string."""

    @abstractmethod
    def hit(self, key: str, code: str, now: float, window: float) -> FloodDecision:
        """Record one occurrence atomically and decide whether it is sent.

        :param key: the window's key (an identification code, or one key for a
            whole digest)
        :param code: the identification code of this occurrence
        :param now: when it happened, in seconds since the epoch
        :param window: the window's length in seconds
        """


@dataclass(slots=True)
class _Window:
    start: float
    held: int = 0
    first: float | None = None
    last: float | None = None
    codes: dict[str, int] = field(default_factory=dict)

    def decision(self) -> FloodDecision:
        return FloodDecision(
            True, self.held, self.first, self.last, tuple(sorted(self.codes.items()))
        )


class MemoryFloodStore(FloodStore):
    """Windows in this process's memory (the default)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._windows: dict[str, _Window] = {}

    def hit(self, key: str, code: str, now: float, window: float) -> FloodDecision:
        with self._lock:
            state = self._windows.get(key)
            if state is None or now >= state.start + window:
                self._windows[key] = _Window(now)
                return state.decision() if state is not None else FloodDecision(True)
            state.held += 1
            state.first = now if state.first is None else state.first
            state.last = now
            state.codes[code] = state.codes.get(code, 0) + 1
            return FloodDecision(False)


class SQLiteFloodStore(FloodStore):
    """Windows in an SQLite file shared by the processes of one host.

    Every :meth:`hit` opens the file, takes SQLite's write lock with
    ``BEGIN IMMEDIATE`` and commits, so concurrent workers see one window.

    :param path: the database file (created when missing)
    :param timeout: seconds to wait for another process's lock
    """

    def __init__(self, path: str, timeout: float = 10.0) -> None:
        if not path:
            raise ValueError("the SQLite flood store needs a file name")
        self.path = path
        self.timeout = timeout

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        conn.execute(
            "CREATE TABLE IF NOT EXISTS paste_exc_flood (key TEXT PRIMARY KEY, start REAL,"
            " held INTEGER, first REAL, last REAL, codes TEXT)"
        )
        return conn

    def hit(self, key: str, code: str, now: float, window: float) -> FloodDecision:
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                row = conn.execute(
                    "SELECT start, held, first, last, codes FROM paste_exc_flood WHERE key = ?",
                    (key,),
                ).fetchone()
                if row is None or now >= row[0] + window:
                    conn.execute(
                        "INSERT OR REPLACE INTO paste_exc_flood VALUES (?, ?, 0, NULL, NULL, '{}')",
                        (key, now),
                    )
                    result = (
                        FloodDecision(True)
                        if row is None
                        else _Window(row[0], row[1], row[2], row[3], json.loads(row[4])).decision()
                    )
                else:
                    codes: dict[str, int] = json.loads(row[4])
                    codes[code] = codes.get(code, 0) + 1
                    conn.execute(
                        "UPDATE paste_exc_flood SET held = held + 1, first = COALESCE(first, ?),"
                        " last = ?, codes = ? WHERE key = ?",
                        (now, now, json.dumps(codes), key),
                    )
                    result = FloodDecision(False)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            return result
        finally:
            conn.close()


_REDIS_SCRIPT = """
local start = redis.call('HGET', KEYS[1], 'start')
local now = tonumber(ARGV[1])
if (not start) or now >= tonumber(start) + tonumber(ARGV[2]) then
  local old = redis.call('HGETALL', KEYS[1])
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[1], 'start', ARGV[1], 'held', 0)
  redis.call('EXPIRE', KEYS[1], ARGV[4])
  if start then
    return {1, old}
  end
  return {1, {}}
end
redis.call('HINCRBY', KEYS[1], 'held', 1)
redis.call('HSETNX', KEYS[1], 'first', ARGV[1])
redis.call('HSET', KEYS[1], 'last', ARGV[1])
redis.call('HINCRBY', KEYS[1], 'c:' .. ARGV[3], 1)
redis.call('EXPIRE', KEYS[1], ARGV[4])
return {0, {}}
"""


class RedisFloodStore(FloodStore):
    """Windows in Redis, shared by every process of every host.

    One Lua script per occurrence makes the decision atomic on the server.
    Needs ``pip install 'paste_exc[redis]'``.

    :param url: a ``redis://`` or ``rediss://`` URL
    :param prefix: prepended to every key
    :param timeout: socket timeout in seconds
    :param ttl: seconds a window's state lives after its last occurrence
    """

    def __init__(
        self, url: str, prefix: str = "paste_exc:flood:", timeout: float = 5.0, ttl: int = 86400
    ) -> None:
        try:
            import redis
        except ImportError:
            raise ImportError(
                "the Redis flood store needs: pip install 'paste_exc[redis]'"
            ) from None
        self.url = url
        self.prefix = prefix
        self.ttl = ttl
        self._client: Any = redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout
        )
        self._script: Any = self._client.register_script(_REDIS_SCRIPT)

    def hit(self, key: str, code: str, now: float, window: float) -> FloodDecision:
        ttl = max(self.ttl, int(window) + 1)
        answer = self._script(keys=[self.prefix + key], args=[repr(now), repr(window), code, ttl])
        if not int(answer[0]):
            return FloodDecision(False)
        flat = [item.decode() if isinstance(item, bytes) else str(item) for item in answer[1]]
        fields = dict(zip(flat[::2], flat[1::2], strict=True))
        if "start" not in fields:
            return FloodDecision(True)
        codes = {name[2:]: int(value) for name, value in fields.items() if name.startswith("c:")}
        first = fields.get("first")
        last = fields.get("last")
        return FloodDecision(
            True,
            int(fields.get("held", "0")),
            float(first) if first is not None else None,
            float(last) if last is not None else None,
            tuple(sorted(codes.items())),
        )
