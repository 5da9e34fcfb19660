"""Format: the one Jinja2 environment every HTML output is rendered with.

Part of the format stage.  The templates live in the top-level ``templates/``
directory of a checkout and are shipped inside the wheel as the package data
directory ``paste_exc/templates/``; :func:`templates_dir` finds whichever is
there.  The environment escapes every value in every template (``autoescape``
is on whatever the file extension) and refuses undefined names.
"""

from __future__ import annotations

import functools
import importlib.resources
from collections.abc import Mapping
from pathlib import Path
from typing import Final

import jinja2
from markupsafe import Markup

from paste_exc.errors import ConfigError

__all__ = ["environment", "load_user_template", "render", "templates_dir"]


@functools.cache
def templates_dir() -> Path:
    """Return the directory holding paste_exc's templates.

    An installed wheel carries them as ``paste_exc/templates``; a source
    checkout (also an editable install) has them in ``templates/`` beside the
    package.
    """
    shipped = importlib.resources.files("paste_exc") / "templates"
    if isinstance(shipped, Path) and shipped.is_dir():
        return shipped
    checkout = (
        Path(__file__).resolve().parents[2] / "templates"
    )  # paste_exc/format/ -> the checkout
    if checkout.is_dir():
        return checkout
    raise RuntimeError(f"paste_exc templates not found in {shipped} nor in {checkout}")


@functools.cache
def environment() -> jinja2.Environment:
    """Return the cached environment (autoescape on, undefined names are errors)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
        cache_size=64,
    )
    env.globals["style_attributes"] = style_attributes
    return env


class _NoStyles(dict[str, Markup]):
    """Every name's attribute is empty: the page has a stylesheet."""

    def __missing__(self, name: str) -> Markup:
        return _EMPTY


_EMPTY: Final = Markup("")
_NO_STYLES: Final = _NoStyles()


def style_attributes(styles: Mapping[str, str] | None) -> Mapping[str, Markup]:
    """Each style name's `` style="…"`` attribute, escaped; all empty without *styles*.

    The report template writes one per element; a lookup here costs a fraction
    of the template macro it replaces, which the debug page called some 150
    times.

    :param styles: inline CSS by name (the email's), or ``None``
    """
    if not styles:
        return _NO_STYLES
    return {name: Markup(' style="{}"').format(value) for name, value in styles.items()}


def render(name: str, **context: object) -> str:
    """Render the template *name* from paste_exc's templates with *context*.

    :param name: a file name inside the templates directory
    :param context: the template's variables
    """
    return environment().get_template(name).render(**context)


@functools.lru_cache(maxsize=16)
def _user_template(path: str, mtime_ns: int) -> jinja2.Template:
    directory, _, name = path.rpartition("/")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(directory or "."),
        autoescape=True,
        undefined=jinja2.ChainableUndefined,
        auto_reload=False,
    )
    return env.get_template(name)


def load_user_template(path: str | Path, option: str = "error_template") -> jinja2.Template:
    """Load a user's page template (autoescaped like ours).

    The result is cached per (path, modification time).

    :param path: the template file
    :param option: the option name to put in a :class:`~paste_exc.errors.ConfigError`
    :raises ConfigError: when the file cannot be read or is not a valid template
    """
    resolved = Path(path).expanduser().resolve()
    try:
        mtime = resolved.stat().st_mtime_ns
    except OSError as exc:
        raise ConfigError(option, f"cannot read template {str(path)!r}: {exc}") from exc
    if not resolved.is_file():
        raise ConfigError(option, f"template {str(path)!r} is not a file")
    try:
        return _user_template(resolved.as_posix(), mtime)
    except jinja2.TemplateError as exc:
        raise ConfigError(option, f"invalid template {str(path)!r}: {exc}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(option, f"cannot read template {str(path)!r}: {exc}") from exc
