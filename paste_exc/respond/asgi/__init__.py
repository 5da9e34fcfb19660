"""Respond: the ASGI side (the middleware, the messages it watches, the request data of a scope)."""
