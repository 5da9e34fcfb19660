"""Model: the request a report was made in, as inert, redacted data.

Part of the model stage. A :class:`RequestInfo` is built once per failing
request by the transport that knows the request
(:func:`paste_exc.respond.wsgi.environ.request_info` for WSGI), cached on the
request's catch, and read by every later stage: negotiation, the debug-access
rule (addresses and forwarding headers; the debug cookie is checked on the
live request and is never stored here), the reporters, the SDK backends, and
Paste's ``extra_data`` (CGI and WSGI variables), which is produced from it.

Every text in it is bounded and redacted: secret-named headers, cookies and
query parameters hold ``[REDACTED]``, and the cookies' values are not kept at
all. It holds strings, numbers and tuples (and Paste's plain extra-data
values), never the environ or anything taken by reference from it.

.. versionadded:: 0.1
"""

from __future__ import annotations

from dataclasses import dataclass

from paste_exc.model.report import ExtraValue

__all__ = ["Pairs", "RequestInfo"]

#: Ordered ``(name, value)`` pairs: headers, query parameters, form fields.
Pairs = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class RequestInfo:
    """One request, redacted once: what every stage after the catch reads of it.

    :param method: the HTTP method (``None``: the request named none)
    :param url: the request URL, bounded piece by piece, secrets redacted
    :param scheme: ``http`` or ``https`` (what the server said)
    :param host: the host the client asked for (``Host``, else the server's name), bounded
    :param server_name: the server's name (CGI's ``SERVER_NAME``)
    :param server_port: the server's port (CGI's ``SERVER_PORT``)
    :param script_name: where the application is mounted (``SCRIPT_NAME``), bounded
    :param path_info: the path inside the application (``PATH_INFO``), bounded
    :param query_string: the query string, bounded, secret-named values redacted
    :param query_length: how long the whole query string was, in characters
    :param query: the query parameters (decoded), secret-named values redacted
    :param headers: the request headers as ``("User-Agent", value)`` pairs, in
        the order the server gave them, bounded in all, secret-named ones redacted
    :param cookie_names: the names of the request's cookies (their values are never kept)
    :param form: the form fields the application had already parsed (the body
        is never read here), secret-named values redacted; ``None`` when none were parsed
    :param body_unread: a body was sent that the application did not read (its
        fields are not shown)
    :param client_address: the peer's address (``REMOTE_ADDR``); ``None`` when
        the request names no peer at all (an in-process test client: the
        debug-access rule lets it see debug output), ``""`` (the default) when
        the peer is unknown or not text (it proves nothing)
    :param forwarded: one of the proxies' forwarding headers is there, in any
        spelling, even empty (see :data:`paste_exc.model.bounds.FORWARDING_HEADERS`)
    :param accept: the ``Accept`` header, bounded
    :param requested_with: the ``X-Requested-With`` header, bounded
    :param https: the request came over https (the scheme or CGI's ``HTTPS`` says so)
    :param content_type: the body's ``Content-Type`` (CGI's ``CONTENT_TYPE``)
    :param content_length: the body's ``Content-Length`` (CGI's ``CONTENT_LENGTH``)
    :param cgi_variables: Paste's "CGI Variables": the environ's upper-case entries
    :param wsgi_variables: Paste's "WSGI Variables": its other entries, Paste's
        noise left out, and the kind of server (``wsgi process``)
    :param configuration: Paste's "Configuration" (``paste.config``), if any
    """

    method: str | None = None
    url: str = "/"
    scheme: str = "http"
    host: str = ""
    server_name: str = ""
    server_port: str = ""
    script_name: str = ""
    path_info: str = ""
    query_string: str = ""
    query_length: int = 0
    query: Pairs = ()
    headers: Pairs = ()
    cookie_names: tuple[str, ...] = ()
    form: tuple[tuple[str, ExtraValue], ...] | None = None
    body_unread: bool = False
    client_address: str | None = ""
    forwarded: bool = False
    accept: str | None = None
    requested_with: str | None = None
    https: bool = False
    content_type: str = ""
    content_length: str = ""
    cgi_variables: tuple[tuple[str, ExtraValue], ...] = ()
    wsgi_variables: tuple[tuple[str, ExtraValue], ...] = ()
    configuration: tuple[tuple[str, ExtraValue], ...] | None = None

    def header(self, name: str) -> str | None:
        """The value of the header *name* (any case), or ``None``.

        :param name: a header name such as ``User-Agent``
        """
        wanted = name.lower()
        for key, value in self.headers:
            if key.lower() == wanted:
                return value
        return None
