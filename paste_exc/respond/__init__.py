"""Respond: the only code that knows HTTP: negotiation, debug access, the responses."""
