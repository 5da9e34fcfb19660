"""Attack: what can stand at the secret file's place (a FIFO, a read-only directory)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_debugtoken import cache, refused  # noqa: F401 (the fixture)

POSIX = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
PROBE = "from paste_exc.respond.token import resolve_debug_token as r; print(r(None).source)"


@POSIX
def test_a_fifo_in_place_of_the_secret_file_is_refused_without_blocking(
    cache: Path,  # noqa: F811
) -> None:
    cache.mkdir(parents=True, mode=0o700)
    os.mkfifo(cache / "debug-secret", 0o600)
    # In a child process: opening a FIFO without a writer would block it for good.
    probe = subprocess.run(
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        timeout=20,
        env={**os.environ, "XDG_CACHE_HOME": str(cache.parent)},
        check=False,
    )
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.strip() == "process"
    assert "is not a regular file" in probe.stderr
    assert "debug_token" in probe.stderr
