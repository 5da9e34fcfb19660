"""Respond: the ASGI side (the middleware, the request data read from a scope)."""
