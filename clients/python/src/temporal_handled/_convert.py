"""Plain JSON values to the type a hint names, as temporalio's default data converter does.

temporalio decodes a ``json/plain`` payload with ``json.loads`` and then, when it has a
type hint (``result_type=``, a referenced run/query/update method's return annotation,
``memo_value(type_hint=)``), converts the loaded value to that type. This module does the
same conversion on the values the daemon hands back, so that a result comes back as the
same Python object it would come back as from temporalio: nested dataclasses, ``datetime``
from its ISO string, ``UUID``, int and str enums, ``typing`` generics (``list[X]``,
``dict[K, V]``, ``tuple``, ``set``, ``Optional``/``Union``, ``Literal``, ``NewType``,
``TypedDict``) and pydantic models (``model_validate`` / ``parse_obj``) when pydantic is
installed. ``bytes`` values (``binary/plain`` payloads) are returned as they are, as in
temporalio, whose binary converter ignores the hint.

A value that does not fit the hint raises ``TypeError`` naming the hint and the value's
type (temporalio raises ``TypeError`` too, wrapped by its converter).
"""

from __future__ import annotations

import collections
import collections.abc
import dataclasses
import inspect
import sys
import typing
import uuid
from datetime import datetime, timezone
from enum import Enum
from typing import Any, Callable, Dict, List, Optional, Tuple, TypeVar, get_type_hints

_UNION_TYPES: Tuple[Any, ...] = (typing.Union,)
if sys.version_info >= (3, 10):  # pragma: no branch
    import types as _types

    _UNION_TYPES = (typing.Union, _types.UnionType)


def parse_iso_datetime(text: str) -> datetime:
    """An ISO 8601 string as a ``datetime`` (a ``Z`` suffix is UTC; any number of fraction digits)."""
    s = text.strip()
    if s.endswith(("Z", "z")):
        s = s[:-1] + "+00:00"
    if sys.version_info < (3, 11):  # pragma: no cover - 3.9/3.10 take exactly 3 or 6 digits
        import re

        s = re.sub(r"\.(\d+)", lambda m: "." + (m.group(1) + "000000")[:6], s, count=1)
    dt = datetime.fromisoformat(s)
    return dt


def _is_typevar(t: Any) -> bool:
    return isinstance(t, TypeVar)


def to_type(hint: Any, value: Any) -> Any:
    """Converts a decoded JSON ``value`` to ``hint``.

    Raises:
        TypeError: The value does not fit the hint.
    """
    if hint is None or hint is Any or _is_typevar(hint):
        return value
    if isinstance(value, (bytes, bytearray)) and hint is not bytes:
        # A binary/plain payload: temporalio's binary converter returns bytes whatever the hint.
        return bytes(value)
    if hint is datetime:
        if isinstance(value, datetime):
            return value
        if isinstance(value, str):
            try:
                return parse_iso_datetime(value)
            except ValueError as err:
                raise TypeError(f"Failed parsing datetime string: {value}") from err
        raise TypeError(f"Expected datetime or ISO8601 string, got {type(value)}")
    if hint is int or hint is float:
        if not isinstance(value, (int, float)):
            raise TypeError(f"Expected value to be int|float, was {type(value)}")
        return hint(value)
    if hint is bool:
        if not isinstance(value, bool):
            raise TypeError(f"Expected value to be bool, was {type(value)}")
        return value
    if hint is str:
        if not isinstance(value, str):
            raise TypeError(f"Expected value to be str, was {type(value)}")
        return value
    if hint is bytes:
        if isinstance(value, (bytes, bytearray)):
            return bytes(value)
        if isinstance(value, list):
            return bytes(value)
        if isinstance(value, str):
            # temporalio calls bytes(str), which raises TypeError (no encoding): so do we.
            raise TypeError("Expected value to be bytes, was a str (temporalio cannot convert it either)")
        raise TypeError(f"Expected value to be bytes, was {type(value)}")
    if hint is type(None):
        if value is not None:
            raise TypeError(f"Expected None, got value of type {type(value)}")
        return None

    supertype = getattr(hint, "__supertype__", None)  # typing.NewType
    if supertype is not None:
        return to_type(supertype, value)

    origin = typing.get_origin(hint) or hint
    args: Tuple[Any, ...] = typing.get_args(hint)

    if origin is typing.Literal:
        if value not in args:
            raise TypeError(f"Value {value!r} not in literal values {args}")
        return value

    if origin in _UNION_TYPES:
        for arg in args:
            try:
                return to_type(arg, value)
            except Exception:
                continue
        raise TypeError(f"Failed converting to {hint} from {value!r}")

    if inspect.isclass(origin) and issubclass(origin, collections.abc.Mapping):
        return _to_mapping(hint, origin, args, value)

    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return _to_dataclass(hint, value)

    model_validate = getattr(hint, "model_validate", None)
    if inspect.isclass(hint) and callable(model_validate) and hasattr(hint, "model_fields"):
        return model_validate(value)  # pydantic v2
    parse_obj = inspect.getattr_static(hint, "parse_obj", None) if inspect.isclass(hint) else None
    if isinstance(parse_obj, (classmethod, staticmethod)):
        if not isinstance(value, dict):
            raise TypeError(f"Cannot convert to {hint}, value is {type(value)} not dict")
        return hint.parse_obj(value)  # pydantic v1

    if inspect.isclass(hint) and issubclass(hint, Enum):
        if issubclass(hint, int):
            if not isinstance(value, int):
                raise TypeError(f"Cannot convert to enum {hint}, value not an integer, value is {type(value)}")
            return hint(value)
        if issubclass(hint, str):
            if not isinstance(value, str):
                raise TypeError(f"Cannot convert to enum {hint}, value not a string, value is {type(value)}")
            return hint(value)

    if inspect.isclass(hint) and issubclass(hint, uuid.UUID):
        if isinstance(value, uuid.UUID):
            return value
        if not isinstance(value, str):
            raise TypeError(f"Cannot convert to UUID, value is {type(value)} not str")
        return hint(value)

    if inspect.isclass(origin) and issubclass(origin, collections.abc.Iterable):
        return _to_iterable(hint, origin, args, value)

    raise TypeError(f"Unserializable type during conversion: {hint}")


def _to_mapping(hint: Any, origin: Any, args: Tuple[Any, ...], value: Any) -> Any:
    if not isinstance(value, collections.abc.Mapping):
        raise TypeError(f"Expected {hint}, value was {type(value)}")
    per_key: Optional[Dict[str, Any]] = None
    if getattr(origin, "__required_keys__", None) or getattr(origin, "__optional_keys__", None):
        per_key = get_type_hints(origin)
    key_type = args[0] if args and args[0] is not Any and not _is_typevar(args[0]) else None
    value_type = args[1] if len(args) > 1 and args[1] is not Any and not _is_typevar(args[1]) else None
    out: Dict[Any, Any] = {}
    for key, item in value.items():
        this_type = per_key.get(key) if per_key else value_type
        if key_type is not None:
            try:
                key = _map_key(key_type, key)
            except Exception as err:
                raise TypeError(f"Failed converting key {key!r} to type {key_type} in mapping {hint}") from err
        if this_type is not None:
            try:
                item = to_type(this_type, item)
            except Exception as err:
                raise TypeError(f"Failed converting value for key {key!r} in mapping {hint}") from err
        out[key] = item
    if per_key:
        return hint(**out)
    return out


def _map_key(key_type: Any, key: Any) -> Any:
    """JSON object keys are strings: back to the key type the hint names."""
    if isinstance(key, str):
        if key_type is int or key_type is float:
            key = key_type(key)
        elif inspect.isclass(key_type) and issubclass(key_type, Enum) and issubclass(key_type, int):
            key = int(key)
        elif key_type is bool:
            key = {"true": True, "false": False}[key]
        elif key_type is type(None):
            key = {"null": None}[key]
    if not isinstance(key_type, type) or not isinstance(key, key_type):
        key = to_type(key_type, key)
    return key


def _to_dataclass(hint: type, value: Any) -> Any:
    if not isinstance(value, dict):
        raise TypeError(f"Cannot convert to dataclass {hint}, value is {type(value)} not dict")
    hints = get_type_hints(hint)
    init_values: Dict[str, Any] = {}
    late_values: Dict[str, Any] = {}
    for f in dataclasses.fields(hint):
        if f.name not in value:
            continue  # the constructor raises for a missing required field
        try:
            converted = to_type(hints.get(f.name, Any), value[f.name])
        except Exception as err:
            raise TypeError(f"Failed converting field {f.name} on dataclass {hint}") from err
        (init_values if f.init else late_values)[f.name] = converted
    obj = hint(**init_values)
    for name, v in late_values.items():
        object.__setattr__(obj, name, v)
    return obj


def _to_iterable(hint: Any, origin: Any, args: Tuple[Any, ...], value: Any) -> Any:
    if not isinstance(value, collections.abc.Iterable):
        raise TypeError(f"Expected {hint}, value was {type(value)}")
    items: List[Any]
    if not args or (len(args) == 1 and (_is_typevar(args[0]) or args[0] is Ellipsis)):
        items = list(value)
    else:
        items = []
        for i, item in enumerate(value):
            if origin is not tuple:
                item_type = args[0]
            elif len(args) > i and args[i] is not Ellipsis:
                item_type = args[i]
            elif args[-1] is Ellipsis:
                item_type = args[-2]
            else:
                raise TypeError(f"Type {hint} only expecting {len(args)} values, got at least {i + 1}")
            try:
                items.append(to_type(item_type, item))
            except Exception as err:
                raise TypeError(f"Failed converting {hint} index {i}") from err
    if origin is tuple:
        return tuple(items)
    if origin is set:
        return set(items)
    if origin is frozenset:
        return frozenset(items)
    if origin is collections.deque:
        return collections.deque(items)
    return items


def return_type_of(obj: Any, attr: str) -> Any:
    """The return type temporalio recorded on a decorated run/query/update method (or ``None``).

    ``attr`` is the attribute temporalio's decorator sets (``__temporal_workflow_definition``,
    ``__temporal_query_definition``, ``_defn``); its ``ret_type`` is the method's return hint.
    """
    if isinstance(obj, str):
        return None
    defn = getattr(obj, attr, None)
    if defn is None:
        return None
    ret = getattr(defn, "ret_type", None)
    if ret is None:
        fn = getattr(defn, "run_fn", None) or getattr(defn, "fn", None)
        if callable(fn):
            ret = _return_hint(fn)
    return ret


def _return_hint(fn: Callable[..., Any]) -> Any:
    try:
        return get_type_hints(fn).get("return")
    except Exception:
        return None


def utc(dt: Optional[datetime]) -> Optional[datetime]:
    """A datetime as UTC-aware (naive ones are taken as UTC)."""
    if dt is None:
        return None
    if dt.tzinfo is None:
        return dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc)
