"""Importing paste_exc (and its backends) never imports an SDK."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_import_paste_exc_imports_no_sdk() -> None:
    code = textwrap.dedent(
        """
        import sys
        import paste_exc
        import paste_exc.report.sdk.raygun
        import paste_exc.report.sdk.sentry
        import paste_exc.process
        import paste_exc.report.dispatch
        from paste_exc.report.registry import available_backends

        assert "sentry" in available_backends()
        loaded = sorted(
            name for name in sys.modules
            if name.split(".")[0] in {"sentry_sdk", "raygun4py", "requests", "jsonpickle"}
        )
        print(loaded)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
