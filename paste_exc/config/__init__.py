"""Configuration: turn ini strings and Python values into typed settings.

This module path is kept for code written against it; the names live in:

* :mod:`paste_exc.config.convert`
* :mod:`paste_exc.config.places`
* :mod:`paste_exc.config.settings`
"""

from paste_exc.config.convert import (
    Converter as Converter,
    Network as Network,
    asbool as asbool,
    aschoice as aschoice,
    asduration as asduration,
    asfloat as asfloat,
    asint as asint,
    aslevel as aslevel,
    aslist as aslist,
    asoptional as asoptional,
    asoptionalstr as asoptionalstr,
    asseconds as asseconds,
    assizebudget as assizebudget,
    asstr as asstr,
    astruth as astruth,
)
from paste_exc.config.places import (
    asaddress as asaddress,
    asaddresses as asaddresses,
    asnetworks as asnetworks,
    aspath as aspath,
    asport as asport,
    asserver as asserver,
    asstream as asstream,
    astrimpaths as astrimpaths,
)
from paste_exc.config.reporters import nest_reporters as nest_reporters
from paste_exc.config.settings import (
    GLOBAL_CONF_FALLBACKS as GLOBAL_CONF_FALLBACKS,
    LOCALS_TIME_BUDGET as LOCALS_TIME_BUDGET,
    MIDDLEWARE_OPTIONS as MIDDLEWARE_OPTIONS,
    MIN_DEBUG_TOKEN_LENGTH as MIN_DEBUG_TOKEN_LENGTH,
    OUR_OPTIONS as OUR_OPTIONS,
    PASTE_OPTIONS as PASTE_OPTIONS,
    MiddlewareSettings as MiddlewareSettings,
    NoDefault as NoDefault,
    asdebugtoken as asdebugtoken,
    resolve_settings as resolve_settings,
)

__all__ = [
    "GLOBAL_CONF_FALLBACKS",
    "MIDDLEWARE_OPTIONS",
    "OUR_OPTIONS",
    "PASTE_OPTIONS",
    "Converter",
    "MiddlewareSettings",
    "Network",
    "NoDefault",
    "asaddress",
    "asaddresses",
    "asbool",
    "aschoice",
    "asdebugtoken",
    "asduration",
    "asfloat",
    "asint",
    "aslevel",
    "aslist",
    "asnetworks",
    "asoptional",
    "asoptionalstr",
    "aspath",
    "asport",
    "asseconds",
    "asserver",
    "assizebudget",
    "asstr",
    "asstream",
    "astrimpaths",
    "astruth",
    "nest_reporters",
    "resolve_settings",
]
