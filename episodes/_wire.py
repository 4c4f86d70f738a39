"""The episode wire format: JSON in and out through one cattrs converter.

Events are a union tagged by ``type``, dispatched explicitly (an unknown type is
named with the types there are).  Scalars are structured strictly: a string is
not a bool, a bool is not a number, ``85.5`` is not a whole number, a number is
finite, a date is ``YYYY-MM-DD``.  A refusal is read by ``cattrs.transform_error``
(with our own wording) and raised as an :class:`InvalidEvent` naming the
event's index, the field path and the value, cut short; an unknown field is
named without its value, and the patient id is never shown.
"""

from __future__ import annotations

import enum
import json
import math
import re
from collections.abc import Callable, Mapping
from datetime import date
from types import NoneType, UnionType
from typing import Any, get_args, get_origin

import attrs
import cattrs
from cattrs.cols import homogenous_tuple_structure_factory
from cattrs.errors import ClassValidationError
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn
from pendulum import Date

from ._errors import HIDDEN, InvalidEvent, cut, kind_of
from ._events import ENUMS, EVENT_TYPES, Event, FieldError, Region
from ._time import parse_date

FORMAT = "episode/1"


class _Refused(ValueError):
    """A scalar hook's refusal: ``reason`` is what a person reads."""


def _strict(name: str, *accepted: type) -> Callable[[Any, type], Any]:
    def structure(value: Any, _: type) -> Any:
        if type(value) not in accepted:
            raise _Refused(f"expected {name}")
        return value

    return structure


def _number(value: Any, _: type) -> float:
    if type(value) is int or (type(value) is float and math.isfinite(value)):
        return value
    raise _Refused("expected a number")


def _whole(value: Any, _: type) -> int:
    if type(value) is float and math.isfinite(value) and value.is_integer():
        return int(value)
    if type(value) is not int:
        raise _Refused("expected a whole number")
    return value


def _date(value: Any, _: type) -> Date:
    try:
        if type(value) is not str and isinstance(value, date):  # objects recorded directly
            value = value.isoformat()
        return parse_date(value)  # cached: a population's dates repeat
    except (ValueError, TypeError) as exc:
        raise _Refused(str(exc) if isinstance(exc, ValueError) else "expected a date as YYYY-MM-DD") from None


def _enum(cls: type[enum.Enum]) -> Callable[[Any, type], enum.Enum]:
    # A dict lookup: calling the enum (``cls(value)``) is several times slower.
    members = {m.value: m for m in cls}
    expected = f"expected one of {', '.join(members)}"

    def structure(value: Any, _: type) -> enum.Enum:
        found = members.get(value) if type(value) is str else None
        if found is None:
            raise _Refused(expected)
        return found

    return structure


def _is_optional(t: Any) -> bool:
    return get_origin(t) is UnionType and len(get_args(t)) == 2 and NoneType in get_args(t)


def _optional(t: Any, c: cattrs.Converter) -> Callable[[Any, type], Any]:
    # The inner type's hook found once: cattrs' own optional hook looks it up on every call.
    (inner,) = (a for a in get_args(t) if a is not NoneType)
    hook = c.get_structure_hook(inner)

    def structure(value: Any, _: type) -> Any:
        return None if value is None else hook(value, inner)

    return structure


def _is_homogeneous_tuple(t: Any) -> bool:
    return get_origin(t) is tuple and len(get_args(t)) == 2 and get_args(t)[1] is Ellipsis


def _tuple(t: Any, c: cattrs.Converter) -> Callable[[Any, type], Any]:
    made = homogenous_tuple_structure_factory(t, c)

    def structure(value: Any, _: type) -> Any:
        if type(value) is not list and type(value) is not tuple:  # a string is no list of levels
            raise _Refused("expected a list")
        return made(value, t)

    return structure


def _fields(cls: type) -> frozenset[str]:
    return frozenset(a.name for a in attrs.fields(cls)) | {"type"}


def _make_converter() -> cattrs.Converter:
    c = cattrs.Converter(forbid_extra_keys=True, prefer_attrib_converters=False, detailed_validation=True)
    for e in ENUMS:  # each by name: the strict ``str`` hook would catch StrEnums
        c.register_structure_hook(e, _enum(e))
    c.register_structure_hook_factory(_is_homogeneous_tuple, _tuple)
    c.register_structure_hook_factory(_is_optional, _optional)
    c.register_structure_hook(bool, _strict("true or false", bool))
    c.register_structure_hook(str, _strict("a string", str))
    c.register_structure_hook(float, _number)
    c.register_structure_hook(int, _whole)
    c.register_structure_hook(Date, _date)
    c.register_unstructure_hook(Date, lambda d: d.isoformat())
    for cls in EVENT_TYPES.values():
        fn = make_dict_unstructure_fn(cls, c)
        # Left out: what is not documented (None), and an empty list where empty is the default
        # (no components).  An empty list of an optional field stays: it says "none", not
        # "not documented".
        empty = frozenset(a.name for a in attrs.fields(cls) if a.default == ())
        c.register_unstructure_hook(
            cls,
            lambda e, fn=fn, empty=empty: {
                "type": e.type,
                **{k: v for k, v in fn(e).items() if v is not None and not (v == [] and k in empty)},
            },
        )
    return c


#: The one converter for events.
converter = _make_converter()
#: Each event type's structure hook and fields (``type`` among them), by its wire ``type``: the
#: explicit dispatch of the union.  The hooks read the wire dict as it comes, tag and all: the
#: fields are checked here (a subset test, at C speed), so no event is copied to drop its tag.
_HOOKS = {
    kind: (cls, make_dict_structure_fn(cls, converter, _cattrs_forbid_extra_keys=False), _fields(cls))
    for kind, cls in EVENT_TYPES.items()
}
_TYPES = ", ".join(EVENT_TYPES)
#: How much of an unknown field's name a refusal shows.
_NAMED = 40


def structure_event(raw: Any, index: int) -> Event:
    """One wire-format event (a dict) to its event object."""
    # ``type(raw) is dict`` first: JSON gives dicts, and the Mapping check is several times slower.
    if type(raw) is not dict and not isinstance(raw, Mapping):
        raise InvalidEvent(index, None, HIDDEN, f"an event must be a JSON object, got {kind_of(raw)}")
    kind = raw.get("type")
    found = _HOOKS.get(kind) if type(kind) is str else None
    if found is None:
        raise InvalidEvent(index, "type", kind, f"unknown event type; expected one of {_TYPES}")
    cls, hook, fields = found
    if not raw.keys() <= fields:
        if any(type(k) is not str for k in raw):
            raise InvalidEvent(index, None, HIDDEN, "field names must be strings")
        # Named without its value: a mistyped key may hold anything (a patient's id, say).
        raise InvalidEvent(index, cut(sorted(raw.keys() - fields)[0], _NAMED), HIDDEN, "unknown field")
    try:
        return hook(raw, cls)
    except Exception as exc:  # read, then raised as ours: the field, what was wanted, the value
        named = _field_error(exc)
        if named is not None:  # a validator of the event class, which names its field
            raise InvalidEvent(index, named.path, _value_at(raw, named.path), named.reason) from None
        field, reason = _located(exc)
        raise InvalidEvent(index, field, _value_at(raw, field), reason) from None


def _field_error(exc: BaseException) -> FieldError | None:
    """A validator's refusal, raised by the class itself once its fields were structured."""
    if isinstance(exc, FieldError):
        return exc
    if isinstance(exc, ClassValidationError):
        return next((e for e in exc.exceptions if isinstance(e, FieldError)), None)
    return None


def _reason(exc: BaseException, _: type | None) -> str:
    """Our wording of one refusal, for ``cattrs.transform_error``."""
    if isinstance(exc, _Refused | FieldError):
        return exc.reason if isinstance(exc, FieldError) else str(exc)
    if isinstance(exc, KeyError):
        return "missing required field"
    return "invalid value"


_AT = re.compile(r"^(.*) @ \$\.?(.*)$", re.S)


def _located(exc: BaseException) -> tuple[str | None, str]:
    """The first refusal's field path and its reason.  (Unknown fields never get here: they
    are found, and named without their values, before the event is structured.)"""
    first = cattrs.transform_error(exc, "$", _reason)[0]
    m = _AT.match(first)
    reason, path = (m.group(1), m.group(2)) if m else (first, "")
    return path or None, reason


_PART = re.compile(r"([A-Za-z_]\w*)|\[(\d+)\]")


def _value_at(body: Mapping[str, Any], field: str | None) -> Any:
    """The value at a field path (``levels[1]``) of an event; ``HIDDEN`` where there is none."""
    if field is None:
        return HIDDEN
    value: Any = body
    for name, idx in _PART.findall(field):
        if name and isinstance(value, Mapping) and name in value:
            value = value[name]
        elif idx and isinstance(value, list | tuple) and int(idx) < len(value):
            value = value[int(idx)]
        else:
            return HIDDEN
    return value


def unstructure_event(event: Event) -> dict[str, Any]:
    return converter.unstructure(event)  # type: ignore[no-any-return]


_HEADER = frozenset({"format", "patient_id", "region", "events"})


def read_json(data: Any) -> Any:
    """What a document says: bytes (UTF-8, a byte-order mark allowed) or text read as JSON;
    anything else (a dict already) as it is.  A ``ValueError`` says why it cannot be read, in
    a person's words and without the text."""
    if isinstance(data, bytes | bytearray):
        try:
            data = bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValueError(f"not UTF-8 text (byte {exc.start})") from None
    if isinstance(data, str):
        try:
            return json.loads(data)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
        except RecursionError:
            raise ValueError("not JSON this library reads: nested too deep") from None
    return data


def parse_document(data: str | bytes | Mapping[str, Any]) -> tuple[str, Region, list[Any]]:
    """The header of an episode document, checked; its raw events list."""
    try:
        data = read_json(data)
    except ValueError as exc:
        raise InvalidEvent(None, None, HIDDEN, str(exc)) from None
    if not isinstance(data, Mapping):
        raise InvalidEvent(None, None, HIDDEN, f"an episode must be a JSON object, got {kind_of(data)}")
    if any(type(k) is not str for k in data):
        raise InvalidEvent(None, None, HIDDEN, "field names must be strings")
    fmt = data.get("format", FORMAT)
    if fmt != FORMAT:
        raise InvalidEvent(None, "format", fmt, f"unknown format; expected {FORMAT!r}")
    extra = sorted(set(data) - _HEADER)
    if extra:
        raise InvalidEvent(None, cut(extra[0], _NAMED), HIDDEN, "unknown field")
    patient_id = data.get("patient_id")
    if type(patient_id) is not str or not patient_id.strip():
        # Never echoed: it is the patient's identifier, however malformed.
        raise InvalidEvent(
            None, "patient_id", HIDDEN, f"expected a non-empty string, got {kind_of(patient_id)}"
        )
    region = data.get("region")
    if type(region) is not str or region not in _REGIONS:
        raise InvalidEvent(None, "region", region, f"expected one of {', '.join(_REGIONS)}")
    events = data.get("events", [])
    if type(events) is not list:
        raise InvalidEvent(None, "events", HIDDEN, f"expected a list of events, got {kind_of(events)}")
    return patient_id, Region(region), events


_REGIONS = [r.value for r in Region]

__all__ = ["FORMAT", "converter", "parse_document", "structure_event", "unstructure_event"]
