"""Fixtures shared by the whole test suite."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import NoReturn

import pytest

ROOT = Path(__file__).resolve().parent.parent


def missing_prerequisite(message: str) -> NoReturn:
    """A prerequisite of a test is missing: fail in CI (which must have it), skip elsewhere."""
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def require_tool(name: str) -> str:
    """Return the path of the program *name*, or stop the test as :func:`missing_prerequisite`."""
    path = shutil.which(name)
    if path is None:
        missing_prerequisite(f"{name} is not installed (.ci/run installs it)")
    return path


@pytest.fixture(scope="session")
def project_root() -> Path:
    """The checkout's top-level directory."""
    return ROOT
