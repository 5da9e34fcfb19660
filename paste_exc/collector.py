"""Collect: turn a live exception into plain, inert data.

This module path is kept for code written against it; the names live in:

* :mod:`paste_exc.collect.collector`, :mod:`paste_exc.collect.occurrence`,
  :mod:`paste_exc.collect.ident`
* :mod:`paste_exc.model.report`
"""

from paste_exc.collect.collector import (
    Bunch as Bunch,
    ExceptionCollector as ExceptionCollector,
    col as col,
    collect_exception as collect_exception,
    locals_budget_note as locals_budget_note,
)
from paste_exc.collect.ident import (
    hash_identifier as hash_identifier,
    make_identifier as make_identifier,
)
from paste_exc.collect.occurrence import collected_data as collected_data
from paste_exc.config.settings import LOCALS_TIME_BUDGET as LOCALS_TIME_BUDGET
from paste_exc.model.report import (
    CONTEXT_LINES as CONTEXT_LINES,
    DEBUG_EXCEPTION_FORMATTER as DEBUG_EXCEPTION_FORMATTER,
    DEBUG_IDENT_PREFIX as DEBUG_IDENT_PREFIX,
    DEFAULT_LIMIT as DEFAULT_LIMIT,
    FALLBACK_ENCODING as FALLBACK_ENCODING,
    INFO_LIMIT as INFO_LIMIT,
    LOCALS_TIME_PLACEHOLDER as LOCALS_TIME_PLACEHOLDER,
    MAX_CHAIN_DEPTH as MAX_CHAIN_DEPTH,
    MAX_EXCEPTIONS as MAX_EXCEPTIONS,
    MAX_GROUP_DEPTH as MAX_GROUP_DEPTH,
    MAX_GROUP_WIDTH as MAX_GROUP_WIDTH,
    MAX_LOCALS as MAX_LOCALS,
    MAX_NOTES as MAX_NOTES,
    MAX_SEQUENCE as MAX_SEQUENCE,
    MAX_WARNINGS as MAX_WARNINGS,
    NAME_LIMIT as NAME_LIMIT,
    REPR_LIMIT as REPR_LIMIT,
    SOURCE_LINE_LIMIT as SOURCE_LINE_LIMIT,
    VALUE_LIMIT as VALUE_LIMIT,
    CollectedException as CollectedException,
    ExceptionFrame as ExceptionFrame,
    ExtraKey as ExtraKey,
    ExtraRepr as ExtraRepr,
    ExtraValue as ExtraValue,
    LocalVariable as LocalVariable,
    SupplementaryData as SupplementaryData,
    SyntaxErrorDetails as SyntaxErrorDetails,
    limit as limit,
)
from paste_exc.model.values import IMPORTANCE_LEVELS as IMPORTANCE_LEVELS

__all__ = [
    "DEBUG_EXCEPTION_FORMATTER",
    "DEBUG_IDENT_PREFIX",
    "DEFAULT_LIMIT",
    "FALLBACK_ENCODING",
    "IMPORTANCE_LEVELS",
    "LOCALS_TIME_BUDGET",
    "LOCALS_TIME_PLACEHOLDER",
    "Bunch",
    "CollectedException",
    "ExceptionCollector",
    "ExceptionFrame",
    "ExtraKey",
    "ExtraRepr",
    "ExtraValue",
    "LocalVariable",
    "SupplementaryData",
    "SyntaxErrorDetails",
    "collect_exception",
    "collected_data",
    "hash_identifier",
    "make_identifier",
]
