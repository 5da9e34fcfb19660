"""Model: the process an exception happened in, as inert data.

Part of the model stage. An :class:`EnvironmentInfo` is taken once per
report, when it is collected (:mod:`paste_exc.collect.environment`): the
Python that ran, where, in which process and thread, at what time, with which
``sys.path``, and the versions of the installed distributions whose modules
appear in the traceback. The debug page, the text report and the debug
problem document show it; the safe page never does.

.. versionadded:: 0.1
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Distribution", "EnvironmentInfo"]


@dataclass(frozen=True, slots=True)
class Distribution:
    """One installed distribution a frame of the traceback belongs to.

    :param name: the distribution's name (``Flask``, ``pyramid``)
    :param version: its version
    :param modules: the top-level modules of the traceback it provides
    """

    name: str
    version: str
    modules: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EnvironmentInfo:
    """The facts of the process at the time of the error, bounded.

    :param python_version: ``platform.python_version()`` (``3.12.3``)
    :param implementation: ``CPython``, ``PyPy``, …
    :param executable: :data:`sys.executable`
    :param platform: ``platform.platform()``
    :param pid: the process id
    :param thread: the name of the thread that collected the report
    :param time_utc: the time of the error, UTC, ISO 8601 (``2026-12-03T14:20:29Z``)
    :param time_local: the same time in the server's zone, with its offset
    :param sys_path: :data:`sys.path`, bounded
    :param distributions: the distributions of the traceback's modules, by name
    """

    python_version: str = ""
    implementation: str = ""
    executable: str = ""
    platform: str = ""
    pid: int = 0
    thread: str = ""
    time_utc: str = ""
    time_local: str = ""
    sys_path: tuple[str, ...] = ()
    distributions: tuple[Distribution, ...] = ()
