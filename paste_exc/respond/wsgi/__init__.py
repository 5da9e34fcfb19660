"""Respond: the WSGI side (the middleware, its iterable, the request data)."""
