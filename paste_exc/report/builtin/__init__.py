"""Report: the built-in reporters (Paste's, logging, JSON lines, capture)."""
