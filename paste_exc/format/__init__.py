"""Format: a collected exception becomes text, HTML and JSON documents.

Never WSGI, never a reporter.
"""
