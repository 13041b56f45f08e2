"""Typed search attributes, as temporalio's (``temporalio.common``), without temporalio.

:class:`SearchAttributeKey`, :class:`SearchAttributePair` and :class:`TypedSearchAttributes`
have temporalio's names, members and behaviour. Where a key is compared (``in``, ``[]``,
``get``), any object with temporalio's key attributes (``name`` and ``indexed_value_type``)
matches by name and index type, so temporalio's own keys work on this client's collections
and temporalio's ``TypedSearchAttributes`` is accepted wherever this client takes one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum
from typing import (
    Any,
    ClassVar,
    Collection,
    Dict,
    Generic,
    Iterator,
    List,
    Mapping,
    NamedTuple,
    Optional,
    Sequence,
    Tuple,
    TypeVar,
    Union,
)

from ._convert import parse_iso_datetime
from ._values import decode_value, encode_value

SearchAttributeValues = Union[List[str], List[int], List[float], List[bool], List[datetime]]
"""The deprecated dict form's values: a list per name (``temporalio.common.SearchAttributeValues``)."""

SearchAttributes = Mapping[str, SearchAttributeValues]
"""The deprecated dict form (``temporalio.common.SearchAttributes``)."""

SearchAttributeValue = Union[str, int, float, bool, datetime, Sequence[str]]

SearchAttributeValueType = TypeVar("SearchAttributeValueType", str, int, float, bool, datetime, Sequence[str])


class SearchAttributeIndexedValueType(IntEnum):
    """Server index type of a search attribute (``temporalio.common``); numbers are the API's."""

    TEXT = 1
    KEYWORD = 2
    INT = 3
    DOUBLE = 4
    BOOL = 5
    DATETIME = 6
    KEYWORD_LIST = 7


_PYTHON_TYPES: Dict[SearchAttributeIndexedValueType, Any] = {
    SearchAttributeIndexedValueType.TEXT: str,
    SearchAttributeIndexedValueType.KEYWORD: str,
    SearchAttributeIndexedValueType.INT: int,
    SearchAttributeIndexedValueType.DOUBLE: float,
    SearchAttributeIndexedValueType.BOOL: bool,
    SearchAttributeIndexedValueType.DATETIME: datetime,
    SearchAttributeIndexedValueType.KEYWORD_LIST: Sequence[str],
}


@dataclass(frozen=True)
class SearchAttributeKey(Generic[SearchAttributeValueType]):
    """Typed search attribute key (``temporalio.common.SearchAttributeKey``).

    Make one with the ``for_*`` static methods.
    """

    name: str
    """The name of the key."""
    indexed_value_type: SearchAttributeIndexedValueType
    """The server index type of the key."""

    @property
    def value_type(self) -> Any:
        """The Python type of value for the key (may be a generic such as ``Sequence[str]``)."""
        return _PYTHON_TYPES[self.indexed_value_type]

    @property
    def origin_value_type(self) -> type:
        """The Python type of value for the key without generics."""
        t = self.value_type
        return list if self.indexed_value_type == SearchAttributeIndexedValueType.KEYWORD_LIST else t

    def __eq__(self, other: object) -> bool:
        k = _key_of(other)
        return k is not None and k == (self.name, int(self.indexed_value_type))

    def __hash__(self) -> int:
        return hash((self.name, int(self.indexed_value_type)))

    @staticmethod
    def for_text(name: str) -> "SearchAttributeKey[str]":
        """Create a 'Text' search attribute type."""
        return SearchAttributeKey(name, SearchAttributeIndexedValueType.TEXT)

    @staticmethod
    def for_keyword(name: str) -> "SearchAttributeKey[str]":
        """Create a 'Keyword' search attribute type."""
        return SearchAttributeKey(name, SearchAttributeIndexedValueType.KEYWORD)

    @staticmethod
    def for_int(name: str) -> "SearchAttributeKey[int]":
        """Create an 'Int' search attribute type."""
        return SearchAttributeKey(name, SearchAttributeIndexedValueType.INT)

    @staticmethod
    def for_float(name: str) -> "SearchAttributeKey[float]":
        """Create a 'Double' search attribute type."""
        return SearchAttributeKey(name, SearchAttributeIndexedValueType.DOUBLE)

    @staticmethod
    def for_bool(name: str) -> "SearchAttributeKey[bool]":
        """Create a 'Bool' search attribute type."""
        return SearchAttributeKey(name, SearchAttributeIndexedValueType.BOOL)

    @staticmethod
    def for_datetime(name: str) -> "SearchAttributeKey[datetime]":
        """Create a 'Datetime' search attribute type."""
        return SearchAttributeKey(name, SearchAttributeIndexedValueType.DATETIME)

    @staticmethod
    def for_keyword_list(name: str) -> "SearchAttributeKey[Sequence[str]]":
        """Create a 'KeywordList' search attribute type."""
        return SearchAttributeKey(name, SearchAttributeIndexedValueType.KEYWORD_LIST)


def _key_of(obj: object) -> Optional[Tuple[str, int]]:
    """(name, index type number) of this client's key or a temporalio key (duck-typed)."""
    name = getattr(obj, "name", None)
    kind = getattr(obj, "indexed_value_type", None)
    if not isinstance(name, str) or kind is None:
        return None
    try:
        return name, int(kind)
    except (TypeError, ValueError):
        return None


class SearchAttributePair(NamedTuple):
    """A key/value search attribute pair (``temporalio.common.SearchAttributePair``)."""

    key: SearchAttributeKey[Any]
    value: Any


@dataclass(frozen=True)
class TypedSearchAttributes(Collection[SearchAttributePair]):
    """Collection of typed search attributes (``temporalio.common.TypedSearchAttributes``).

    Sorted by key name on construction; duplicate names raise ``ValueError``.
    """

    search_attributes: Sequence[SearchAttributePair]
    """The pairs, sorted by key name."""

    empty: ClassVar["TypedSearchAttributes"]
    """An empty collection."""

    def __post_init__(self) -> None:
        pairs = sorted(self.search_attributes, key=lambda p: p.key.name)
        for i in range(1, len(pairs)):
            if pairs[i - 1].key.name == pairs[i].key.name:
                raise ValueError(f"Duplicate search attribute entries found for key {pairs[i].key.name}")
        object.__setattr__(self, "search_attributes", pairs)

    def __len__(self) -> int:
        return len(self.search_attributes)

    def __iter__(self) -> Iterator[SearchAttributePair]:
        return iter(self.search_attributes)

    def __getitem__(self, key: Any) -> Any:
        """The value for ``key`` (this client's or temporalio's key), or ``KeyError``."""
        wanted = _key_of(key)
        for k, v in self.search_attributes:
            if _key_of(k) == wanted:
                return v
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        wanted = _key_of(key)
        return wanted is not None and any(_key_of(k) == wanted for k, _ in self.search_attributes)

    def get(self, key: Any, default: Any = None) -> Any:
        """The value for ``key``, or ``default``."""
        try:
            return self[key]
        except KeyError:
            return default

    def updated(self, *search_attributes: SearchAttributePair) -> "TypedSearchAttributes":
        """A copy with these pairs replacing those of the same key name, or added."""
        by_name = {p.key.name: p for p in self.search_attributes}
        for p in search_attributes:
            by_name[p.key.name] = p
        return TypedSearchAttributes(list(by_name.values()))


TypedSearchAttributes.empty = TypedSearchAttributes([])


# --- the protocol's forms -----------------------------------------------------------------------

_WIRE_TYPES = {t.name: t for t in SearchAttributeIndexedValueType}


def _wire_value(value: Any, where: str) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"{where}: Timezone must be present on all search attribute dates")
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_wire_value(v, where) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(
        f"{where}: search attribute value of type {type(value).__name__} is not one of str, int, float, "
        "bool, datetime or a list of them"
    )


def typed_pairs_param(search_attributes: Any) -> Optional[List[Dict[str, Any]]]:
    """A ``TypedSearchAttributes`` (this client's or temporalio's, duck-typed: an iterable of
    pairs with ``key.name``, ``key.indexed_value_type`` and ``value``) as the protocol's
    ``typedSearchAttributes`` [{key, type, value}]; ``None`` when it is not that form."""
    pairs = getattr(search_attributes, "search_attributes", None)
    if pairs is None or isinstance(search_attributes, Mapping):
        return None
    out: List[Dict[str, Any]] = []
    for pair in pairs:
        key = getattr(pair, "key", None)
        k = _key_of(key)
        if k is None:
            raise TypeError(f"search_attributes: {pair!r} is not a SearchAttributePair (a key with name and type)")
        name, kind = k
        try:
            type_name = SearchAttributeIndexedValueType(kind).name
        except ValueError:
            raise ValueError(f"search_attributes[{name!r}]: unknown indexed value type {kind}") from None
        value = getattr(pair, "value", None)
        if type_name == "KEYWORD_LIST":
            if isinstance(value, str) or not isinstance(value, Sequence):
                raise TypeError(f"search_attributes[{name!r}]: a KeywordList value must be a list of str")
        out.append({"key": name, "type": type_name, "value": _wire_value(value, f"search_attributes[{name!r}]")})
    return out


def untyped_param(search_attributes: Mapping[str, Any]) -> Dict[str, Any]:
    """The plain ``{name: value}`` form (temporalio's deprecated dict of lists included)."""
    out: Dict[str, Any] = {}
    for name, value in search_attributes.items():
        if not isinstance(name, str):
            raise TypeError(f"search_attributes: names must be str, not {type(name).__name__}")
        out[name] = encode_value(_wire_value(value, f"search_attributes[{name!r}]"))
    return out


def _decode_typed_value(kind: SearchAttributeIndexedValueType, value: Any) -> Any:
    if kind == SearchAttributeIndexedValueType.KEYWORD_LIST:
        return list(value) if isinstance(value, list) else [value]
    if isinstance(value, list):
        value = value[0] if len(value) == 1 else value
    if kind == SearchAttributeIndexedValueType.DATETIME and isinstance(value, str):
        return parse_iso_datetime(value)
    if kind == SearchAttributeIndexedValueType.DOUBLE and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def _guess_kind(value: Any) -> Optional[SearchAttributeIndexedValueType]:
    """The index type of an attribute the daemon sent without its type (temporalio's guess)."""
    vals = value if isinstance(value, list) else [value]
    if not vals:
        return None
    if len(vals) > 1:
        return SearchAttributeIndexedValueType.KEYWORD_LIST if isinstance(vals[0], str) else None
    v = vals[0]
    if isinstance(v, str):
        return SearchAttributeIndexedValueType.KEYWORD
    if isinstance(v, bool):
        return SearchAttributeIndexedValueType.BOOL
    if isinstance(v, int):
        return SearchAttributeIndexedValueType.INT
    if isinstance(v, float):
        return SearchAttributeIndexedValueType.DOUBLE
    return None


def decode_wire(
    untyped: Optional[Mapping[str, Any]], typed: Optional[Sequence[Mapping[str, Any]]]
) -> Tuple[Dict[str, List[Any]], TypedSearchAttributes]:
    """A description's or list entry's search attributes, as temporalio gives them: the
    deprecated dict form (every value a list, datetimes decoded) and the typed collection.

    ``typed`` is the daemon's ``typedSearchAttributes`` (types from the payloads' own
    metadata); without it, the types are guessed from the values as temporalio guesses them
    (so a Datetime stays a string and a Text reads as a Keyword).
    """
    pairs: List[SearchAttributePair] = []
    as_lists: Dict[str, List[Any]] = {}
    if typed is not None:
        for entry in typed:
            kind = _WIRE_TYPES.get(str(entry.get("type")))
            name = str(entry.get("key"))
            raw = decode_value(entry.get("value"))
            if kind is None:
                as_lists[name] = raw if isinstance(raw, list) else [raw]
                continue
            value = _decode_typed_value(kind, raw)
            pairs.append(SearchAttributePair(SearchAttributeKey(name, kind), value))
            as_lists[name] = list(value) if isinstance(value, list) else [value]
        for name, v in (untyped or {}).items():
            if name not in as_lists:
                raw = decode_value(v)
                as_lists[name] = raw if isinstance(raw, list) else [raw]
        return as_lists, TypedSearchAttributes(pairs)
    for name, v in (untyped or {}).items():
        raw = decode_value(v)
        as_lists[name] = list(raw) if isinstance(raw, list) else [raw]
        guessed = _guess_kind(raw)
        if guessed is not None:
            pairs.append(SearchAttributePair(SearchAttributeKey(name, guessed), _decode_typed_value(guessed, raw)))
    return as_lists, TypedSearchAttributes(pairs)
