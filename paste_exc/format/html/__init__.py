"""Format: the HTML report (view model, templates, highlighting, Paste's HTML helpers)."""
