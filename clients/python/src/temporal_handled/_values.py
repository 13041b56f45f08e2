"""Python values to and from the protocol's values.

The daemon carries each Temporal payload as one JSON value:

* ``bytes`` (and ``bytearray``/``memoryview``) <-> ``{"$bytes": "<base64>"}`` (``binary/plain``);
* ``{"$payload": {"metadata": {...}, "data": "..."}}`` passes through unchanged both ways;
* anything else is a JSON value (``json/plain``), encoded like the Python SDK's
  ``AdvancedJSONEncoder`` does (datetimes as ISO strings, dataclasses as dicts,
  UUIDs as strings, other iterables as lists).

JSON numbers that a double would change (an integer beyond +-2**53, an integral
float such as ``1.0``) come through the daemon exactly, both ways. Such values
(and ``NaN`` or an infinity, which JSON lacks) are still sent as a ready-made
``json/plain`` ``$payload`` holding exactly the bytes the Python SDK would have
produced, so that they are exact with any daemon and match the SDK byte for byte.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import math
import uuid
from datetime import date, datetime, time
from enum import Enum
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence

_SAFE_INT = 2**53 - 1


class _Encoder(json.JSONEncoder):
    """JSON encoder for the types the SDK's ``AdvancedJSONEncoder`` accepts."""

    def default(self, o: Any) -> Any:
        if isinstance(o, (datetime, date, time)):
            return o.isoformat()
        if dataclasses.is_dataclass(o) and not isinstance(o, type):
            return dataclasses.asdict(o)
        if isinstance(o, uuid.UUID):
            return str(o)
        if isinstance(o, Enum):
            return o.value
        dict_fn = getattr(o, "model_dump", None) or getattr(o, "dict", None)
        if callable(dict_fn) and not isinstance(o, Mapping):
            return dict_fn()
        if isinstance(o, Iterable) and not isinstance(o, (str, bytes, bytearray, Mapping)):
            return list(o)
        return super().default(o)


def _needs_exact(value: Any) -> bool:
    """Whether a JSON value holds a number JavaScript would not carry exactly."""
    stack: List[Any] = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, bool) or v is None or isinstance(v, str):
            continue
        if isinstance(v, int):
            if v > _SAFE_INT or v < -_SAFE_INT:
                return True
        elif isinstance(v, float):
            if not math.isfinite(v) or v.is_integer():
                return True
        elif isinstance(v, dict):
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return False


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def is_payload(value: Any) -> bool:
    """Whether ``value`` is a ``{"$payload": {...}}`` pass-through payload."""
    return isinstance(value, dict) and len(value) == 1 and "$payload" in value


_NO_FAST = object()


def _plain_fast(value: Any, depth: int = 0) -> Any:
    """``value`` as ``json.loads(json.dumps(value, sort_keys=True))`` would give it back, when that
    is known without encoding (``str``, ``bool``, ``None``, an ``int`` within +-(2**53 - 1), a finite
    non-integral ``float``, and lists and str-keyed dicts of these, of the exact built-in types);
    else ``_NO_FAST`` (anything needing the encoder or the exact path)."""
    t = type(value)
    if t is str or t is bool or value is None:
        return value
    if t is int:
        return value if -_SAFE_INT <= value <= _SAFE_INT else _NO_FAST
    if t is float:
        return value if math.isfinite(value) and not value.is_integer() else _NO_FAST
    if depth >= 8:
        return _NO_FAST
    if t is list:
        out: List[Any] = []
        for v in value:
            p = _plain_fast(v, depth + 1)
            if p is _NO_FAST:
                return _NO_FAST
            out.append(p)
        return out
    if t is dict:
        if any(type(k) is not str for k in value):
            return _NO_FAST
        d: Dict[str, Any] = {}
        for k in sorted(value):
            p = _plain_fast(value[k], depth + 1)
            if p is _NO_FAST:
                return _NO_FAST
            d[k] = p
        return d
    return _NO_FAST


def encode_value(value: Any) -> Any:
    """Encodes one Python value as a protocol value (one payload).

    Raises:
        TypeError: The value cannot be encoded as JSON.
    """
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"$bytes": _b64(bytes(value))}
    if is_payload(value):
        return value
    # The common case, JSON values with no number that needs exact treatment, without a
    # round trip through the encoder (the same value comes out of it).
    fast = _plain_fast(value)
    if fast is not _NO_FAST and not (type(fast) is dict and len(fast) == 1 and "$bytes" in fast):
        return fast
    # Normalise through the encoder so dataclasses, datetimes and the like become JSON.
    try:
        text = json.dumps(value, cls=_Encoder, separators=(",", ":"), sort_keys=True)
    except (TypeError, ValueError) as err:
        raise TypeError(f"Value of type {type(value).__name__} cannot be encoded as JSON: {err}") from err
    plain = json.loads(text)
    if _needs_exact(plain) or (isinstance(plain, dict) and len(plain) == 1 and ("$bytes" in plain)):
        # A dict that looks like {"$bytes": ...} is user data, not bytes: send it exactly.
        return {
            "$payload": {
                "metadata": {"encoding": _b64(b"json/plain")},
                "data": _b64(text.encode("utf-8")),
            }
        }
    return plain


def encode_values(values: Sequence[Any]) -> List[Any]:
    """Encodes a list of values, one payload each."""
    return [encode_value(v) for v in values]


_JSON_PLAIN = _b64(b"json/plain")


def decode_value(value: Any) -> Any:
    """Decodes one protocol value: ``$bytes`` becomes ``bytes``; a ``json/plain`` ``$payload``
    (what the daemon sends for JSON it does not parse itself: ``NaN``, ``Infinity``, and
    user data shaped like ``{"$bytes": ...}``) is parsed as Python's ``json`` (temporalio's)
    parses it; any other ``$payload`` stays as it is."""
    if isinstance(value, dict) and len(value) == 1:
        if "$bytes" in value:
            raw = value["$bytes"]
            if isinstance(raw, str):
                return base64.b64decode(raw)
        elif "$payload" in value:
            p = value["$payload"]
            if isinstance(p, dict) and isinstance(p.get("metadata"), dict) and len(p["metadata"]) == 1:
                if p["metadata"].get("encoding") == _JSON_PLAIN and isinstance(p.get("data"), str):
                    try:
                        return json.loads(base64.b64decode(p["data"]).decode("utf-8"))
                    except ValueError:
                        return value
    return value


def decode_values(values: Optional[Iterable[Any]]) -> List[Any]:
    """Decodes a list of protocol values."""
    return [decode_value(v) for v in (values or [])]


def decode_map(values: Optional[Mapping[str, Any]]) -> Dict[str, Any]:
    """Decodes a map of protocol values (memo, search attributes)."""
    return {k: decode_value(v) for k, v in (values or {}).items()}


def arg_or_args(arg: Any, args: Sequence[Any], unset: Any) -> List[Any]:
    """The SDK's ``_arg_or_args``: one of ``arg`` and ``args``, never both."""
    if arg is not unset:
        if args:
            raise ValueError("Cannot have arg and args")
        return [arg]
    return list(args)
