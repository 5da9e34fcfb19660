"""Collect: the facts of the process an error happened in.

Part of the collect stage. :func:`collect_environment` takes, once per
report and without raising, what the debug page's environment block and the
text report's show: the Python version and implementation, the executable, the
platform, the process id and the thread's name, the time of the error (UTC and
local), :data:`sys.path`, and the versions of the installed distributions
whose modules appear in the traceback (its chain and group members included).

.. versionadded:: 0.1
"""

from __future__ import annotations

import datetime
import functools
import importlib.metadata
import os
import platform
import sys
import threading
from collections.abc import Iterator
from typing import Final

from paste_exc.model.environment import Distribution, EnvironmentInfo
from paste_exc.model.report import NAME_LIMIT, VALUE_LIMIT, CollectedException, ExceptionFrame
from paste_exc.redact.engine import Redactor, default_redactor
from paste_exc.redact.saferepr import safe_str

__all__ = ["MAX_DISTRIBUTIONS", "MAX_SYS_PATH", "collect_environment", "traceback_frames"]

#: The most ``sys.path`` entries kept.
MAX_SYS_PATH: Final = 100
#: The most distributions named.
MAX_DISTRIBUTIONS: Final = 100
#: The most frames looked at for distributions (every chain link and member).
_MAX_FRAMES: Final = 5000


def collect_environment(
    report: CollectedException, redactor: Redactor = default_redactor
) -> EnvironmentInfo | None:
    """The environment of the process, now, for *report*; ``None`` when it cannot be read.

    :param report: the collected report (its time and frames are read)
    :param redactor: redacts credentials written in ``sys.path`` entries
    """
    try:
        return _environment(report, redactor)
    except Exception:  # noqa: BLE001 (a report goes out without its environment, never fails)
        return None


def _environment(report: CollectedException, redactor: Redactor) -> EnvironmentInfo:
    moment = report.timestamp or datetime.datetime.now(datetime.UTC).timestamp()
    utc = datetime.datetime.fromtimestamp(moment, datetime.UTC)
    return EnvironmentInfo(
        python_version=platform.python_version(),
        implementation=platform.python_implementation(),
        executable=safe_str(sys.executable or "", VALUE_LIMIT),
        platform=_platform(),
        pid=os.getpid(),
        thread=safe_str(threading.current_thread().name, NAME_LIMIT),
        time_utc=utc.isoformat(timespec="seconds").replace("+00:00", "Z"),
        time_local=utc.astimezone().isoformat(timespec="seconds"),
        sys_path=_shown_sys_path(redactor),
        distributions=distributions(traceback_frames(report)),
    )


def _shown_sys_path(redactor: Redactor) -> tuple[str, ...]:
    entries = tuple(sys.path[: MAX_SYS_PATH + 1])
    try:
        return _sys_path(entries, len(sys.path), redactor)
    except TypeError:  # an unhashable entry (or redactor): worked out without the cache
        return _sys_path.__wrapped__(entries, len(sys.path), redactor)


@functools.lru_cache(maxsize=8)
def _sys_path(entries: tuple[object, ...], total: int, redactor: Redactor) -> tuple[str, ...]:
    """``sys.path`` as shown: bounded, redacted; worked out again only when it changes."""
    paths = [safe_str(entry, VALUE_LIMIT) for entry in entries[:MAX_SYS_PATH]]
    if total > MAX_SYS_PATH:
        paths.append(f"[{total - MAX_SYS_PATH:,} more entries not shown]")
    return tuple(redactor.redact_text(path) for path in paths)


@functools.lru_cache(maxsize=1)
def _platform() -> str:
    return platform.platform()


def traceback_frames(report: CollectedException) -> Iterator[ExceptionFrame]:
    """Every frame of *report*: its own, its chain's and its group members', each report once."""
    seen: set[int] = set()
    stack = [report]
    count = 0
    while stack:
        exc = stack.pop()
        if id(exc) in seen:
            continue
        seen.add(id(exc))
        for frame in exc.frames:
            count += 1
            if count > _MAX_FRAMES:
                return
            yield frame
        stack.extend(link for link in (exc.cause, exc.context) if link is not None)
        stack.extend(exc.exceptions)


def distributions(frames: Iterator[ExceptionFrame]) -> tuple[Distribution, ...]:
    """The installed distributions providing the top-level modules of *frames*, by name."""
    modules: dict[str, None] = {}
    for frame in frames:
        if frame.modname and frame.modname != "__main__":
            modules.setdefault(frame.modname.partition(".")[0], None)
    return _distributions_of(tuple(modules))


@functools.lru_cache(maxsize=256)
def _distributions_of(modules: tuple[str, ...]) -> tuple[Distribution, ...]:
    """The distributions of these top-level modules (an error storm asks for the same ones)."""
    provided: dict[str, list[str]] = {}
    table = _module_distributions()
    for module in modules:
        for name in table.get(module, ()):
            provided.setdefault(name, []).append(module)
    found = []
    for name in sorted(provided, key=str.lower)[:MAX_DISTRIBUTIONS]:
        version = _version(name)
        if version is not None:
            found.append(Distribution(name, version, tuple(provided[name])))
    return tuple(found)


@functools.lru_cache(maxsize=1)
def _module_distributions() -> dict[str, tuple[str, ...]]:
    """Top-level module → distribution names, read once per process (the first error pays)."""
    try:
        table = importlib.metadata.packages_distributions()
    except Exception:  # noqa: BLE001 (broken metadata: no versions, still a report)
        return {}
    return {module: tuple(dict.fromkeys(names)) for module, names in table.items()}


@functools.lru_cache(maxsize=512)
def _version(name: str) -> str | None:
    try:
        return safe_str(importlib.metadata.version(name), NAME_LIMIT)
    except Exception:  # noqa: BLE001 (metadata gone since: not named)
        return None
