"""An environ that counts its reads: for tests that a failing request is read once."""

from __future__ import annotations

import collections
import io
from typing import Any

#: Keys that are not request data: the server's error stream, our own flags.
NOT_REQUEST_DATA = frozenset(
    {"wsgi.errors", "paste.throw_errors", "paste.expected_exceptions", "paste_exc.reporting"}
)


class CountingEnviron(dict[str, Any]):
    """An environ that counts how often each key is read (``[]``, ``get``, ``in``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reads: collections.Counter[str] = collections.Counter()

    def __getitem__(self, key: str) -> Any:
        self.reads[key] += 1
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        self.reads[key] += 1
        return super().get(key, default)

    def __contains__(self, key: object) -> bool:
        self.reads[str(key)] += 1
        return super().__contains__(key)


def counting_environ(**extra: Any) -> CountingEnviron:
    return CountingEnviron(
        {
            "REQUEST_METHOD": "GET",
            "SCRIPT_NAME": "",
            "PATH_INFO": "/orders",
            "QUERY_STRING": "page=2&_=1",
            "SERVER_NAME": "shop.example",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "shop.example",
            "HTTP_ACCEPT": "text/html",
            "HTTP_COOKIE": "sessionid=s-1",
            "HTTP_X_REQUESTED_WITH": "XMLHttpRequest",
            "REMOTE_ADDR": "192.0.2.1",
            "wsgi.url_scheme": "http",
            "wsgi.version": (1, 0),
            "wsgi.input": io.BytesIO(),
            "wsgi.errors": io.StringIO(),
            "wsgi.multithread": False,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
            **extra,
        }
    )


def reread(environ: CountingEnviron) -> dict[str, int]:
    """The request-data keys read, with how often (each should be read once at most)."""
    return {key: count for key, count in environ.reads.items() if key not in NOT_REQUEST_DATA}
