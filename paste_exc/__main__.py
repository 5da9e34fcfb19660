"""``python -m paste_exc``: the ``paste-exc`` command line (see :mod:`paste_exc.cli`)."""

from __future__ import annotations

import sys

from paste_exc.cli import main

if __name__ == "__main__":
    sys.exit(main())
