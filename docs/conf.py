"""Sphinx configuration for the paste_exc documentation."""

project = "paste_exc"
author = "The paste_exc developers"
copyright = "2026, The paste_exc developers"
extensions = ["sphinx.ext.autodoc", "sphinx.ext.viewcode"]
autodoc_member_order = "bysource"
autodoc_typehints = "description"
nitpicky = False
html_theme = "alabaster"
exclude_patterns = ["_build"]
