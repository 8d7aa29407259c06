"""Writing JSON: responses and stored documents, with orjson.

A graded submission's response and the grade stored with it are the biggest JSON the service
writes on every submission; orjson writes them about ten times faster than the standard library.
Integers beyond 64 bits (an answer may be ``1e300`` written out as an integer) are the one thing
orjson refuses, so those documents fall back to ``json``.  Reading stays with ``json``: orjson
reads such integers as floats, and a replayed response must be the very one first sent.
"""

from __future__ import annotations

import json
from typing import Any

import orjson


def encode(document: Any) -> bytes:
    """``document`` as UTF-8 JSON bytes (non-ASCII characters written as they are)."""
    try:
        return orjson.dumps(document)
    except TypeError:
        return json.dumps(document, ensure_ascii=False).encode("utf-8")


def dumps(document: Any) -> str:
    """``document`` as a JSON string: the serializer of the database's JSON columns."""
    return encode(document).decode("utf-8")
