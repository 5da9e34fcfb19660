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

#: Pages merged into the page of their stage: old name -> (page, label of its section).
#: The docstrings' ``:doc:`` links to an old name (and any other) land on that section.
MOVED_PAGES = {
    "api": ("reporters", "api"),
    "backends-raygun": ("reporters", "backends-raygun"),
    "backends-sentry": ("reporters", "backends-sentry"),
    "delivery": ("reporters", "delivery"),
    "rendering": ("formatter", "rendering"),
    "security": ("middleware", "security"),
}


def _moved_page(app, env, node, contnode):
    """Resolve a ``:doc:`` link to a merged page to its section on the stage's page."""
    import posixpath

    from docutils import nodes

    if node.get("refdomain") != "std" or node.get("reftype") != "doc":
        return None
    target = node["reftarget"]
    if target.startswith("/"):
        name = target[1:]
    else:
        name = posixpath.normpath(posixpath.join(posixpath.dirname(node["refdoc"]), target))
    if name not in MOVED_PAGES:
        return None
    page, label = MOVED_PAGES[name]
    _, labelid, title = env.get_domain("std").labels[label]
    uri = app.builder.get_relative_uri(node["refdoc"], page) + "#" + labelid
    reference = nodes.reference("", "", internal=True, refuri=uri)
    reference += contnode if node.get("refexplicit") else nodes.inline(title, title)
    return reference


def setup(app):
    app.connect("missing-reference", _moved_page)
