"""Conversion by type hint: the same values and errors as temporalio's default converter
(``value_to_type``), for the hints issue 14 names. No server needed."""

from __future__ import annotations

import collections
import uuid as _uuid
from dataclasses import dataclass, field
from datetime import datetime as _dt
from enum import Enum, IntEnum
from typing import Any as _Any
from typing import Deque, Dict, FrozenSet, List, Literal, NewType, Optional, Set, Tuple, TypedDict, Union

import pytest
from temporalio.converter import value_to_type

from temporal_handled._convert import to_type


class N(IntEnum):
    ONE = 1


class S(str, Enum):
    A = "a"


@dataclass
class Inner:
    n: int
    when: _dt


@dataclass
class Outer:
    inner: List[Inner]
    by_n: Dict[N, Inner]
    maybe: Optional[Inner] = None
    kind: S = S.A
    ident: Optional[_uuid.UUID] = None
    extra: Dict[str, _Any] = field(default_factory=dict)


class TD(TypedDict):
    a: int
    b: Inner


UserId = NewType("UserId", int)


def test_to_type_as_temporalios_converter() -> None:
    raw_outer = {
        "inner": [{"n": 1, "when": "2024-01-02T03:04:05.5+00:00"}],
        "by_n": {"1": {"n": 2, "when": "2024-01-02T03:04:05Z"}},
        "maybe": None,
        "kind": "a",
        "ident": "12345678-1234-5678-1234-567812345678",
        "extra": {"x": [1]},
        "ignored": True,
    }
    cases: List[Tuple[_Any, _Any]] = [
        (Outer, raw_outer),
        (List[Outer], [raw_outer]),
        (TD, {"a": 1, "b": {"n": 3, "when": "2020-01-01T00:00:00+00:00"}}),
        (UserId, 5),
        (Literal["x", "y"], "y"),
        (Set[int], [1, 2]),
        (FrozenSet[str], ["a"]),
        (Deque[int], [1]),
        (Tuple[int, ...], [1, 2, 3]),
        (Tuple[int, str], [1, "a"]),
        (Union[int, str], "s"),
        (Optional[Inner], None),
        (Dict[int, bool], {"1": True}),
        (float, 3),
        (bytes, [1, 2]),
        (_Any, {"k": 1}),
        (list, [1]),
    ]
    for hint, raw in cases:
        assert to_type(hint, raw) == value_to_type(hint, raw), hint
        assert type(to_type(hint, raw)) is type(value_to_type(hint, raw)), hint
    for hint, raw in [(int, "1"), (Inner, {"n": 1}), (Literal["x"], "z"), (Tuple[int], [1, 2]), (N, "1"), (S, 1)]:
        with pytest.raises(TypeError):
            value_to_type(hint, raw)
        with pytest.raises(TypeError):
            to_type(hint, raw)
    assert isinstance(to_type(Deque[int], [1]), collections.deque)
    # binary/plain payloads come back as bytes whatever the hint, as temporalio's binary converter does.
    assert to_type(str, b"\x00") == b"\x00"
