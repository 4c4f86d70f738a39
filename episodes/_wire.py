"""The episode wire format: JSON in and out through one cattrs converter.

Events are a tagged union on ``type``.  Scalars are structured strictly: a
string is not a bool, ``85.5`` is not an int, a date is ``YYYY-MM-DD``.  A
structuring failure is turned into an :class:`InvalidEvent` naming the
event's index, the field path and the value.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Mapping
from datetime import date
from types import NoneType, UnionType
from typing import Any, get_args, get_origin

import attrs
import cattrs
from cattrs.cols import homogenous_tuple_structure_factory
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError, IterableValidationError
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn
from pendulum import Date

from ._errors import InvalidEvent
from ._events import ENUMS, EVENT_TYPES, Event, FieldError, Region
from ._time import parse_date

FORMAT = "episode/1"


def _strict(kind: type, *accepted: type) -> Any:
    def structure(value: Any, _: type) -> Any:
        if type(value) not in accepted:
            raise TypeError(f"expected {kind.__name__}")
        return value

    return structure


def _int(value: Any, _: type) -> int:
    if type(value) is float and value.is_integer():
        return int(value)
    if type(value) is not int:
        raise TypeError("expected a whole number")
    return value


def _date(value: Any, _: type) -> Date:
    if isinstance(value, date):  # already a date: objects recorded directly
        return parse_date(value.isoformat())
    return parse_date(value)


def _enum(cls: type[enum.Enum]) -> Callable[[Any, type], enum.Enum]:
    # A dict lookup: calling the enum (``cls(value)``) is several times slower.
    members = {m.value: m for m in cls}
    expected = f"expected one of {list(members)}"

    def structure(value: Any, _: type) -> enum.Enum:
        try:
            return members[value]
        except (KeyError, TypeError):  # TypeError: an unhashable value (a list, an object)
            raise ValueError(expected) from None

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


def _make_converter(detailed: bool) -> cattrs.Converter:
    c = cattrs.Converter(forbid_extra_keys=True, prefer_attrib_converters=False, detailed_validation=detailed)
    for e in ENUMS:  # each by name: the strict ``str`` hook would catch StrEnums
        c.register_structure_hook(e, _enum(e))
    # Generated hooks that find the element's (or inner type's) hook once, where cattrs'
    # defaults for ``tuple[X, ...]`` and ``X | None`` look it up again for every value.
    c.register_structure_hook_factory(_is_homogeneous_tuple, homogenous_tuple_structure_factory)
    c.register_structure_hook_factory(_is_optional, _optional)
    c.register_structure_hook(bool, _strict(bool, bool))
    c.register_structure_hook(str, _strict(str, str))
    c.register_structure_hook(float, _strict(float, int, float))
    c.register_structure_hook(int, _int)
    c.register_structure_hook(Date, _date)
    c.register_unstructure_hook(Date, lambda d: d.isoformat())
    for cls in EVENT_TYPES.values():
        fn = make_dict_unstructure_fn(cls, c)
        c.register_unstructure_hook(cls, lambda e, fn=fn: {"type": e.type, **_drop_none(fn(e))})
    return c


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None and v != []}


#: The one converter for events (fast path; errors are re-read with ``_detailed``).
converter = _make_converter(detailed=False)
_detailed = _make_converter(detailed=True)


class _WireHook:
    """cattrs' generated hook for one event class, reading the wire dict as it comes.

    Made without cattrs' own extra-keys check, which would refuse ``type``: the keys are
    checked here instead (``type`` allowed), so no event is copied to drop its tag.
    """

    def __init__(self, cls: type[Event]) -> None:
        self.cls = cls
        self.structure = make_dict_structure_fn(cls, converter, _cattrs_forbid_extra_keys=False)
        self.keys = frozenset(a.name for a in attrs.fields(cls)) | {"type"}


_WIRE_HOOKS = {kind: _WireHook(cls) for kind, cls in EVENT_TYPES.items()}


def structure_event(raw: Any, index: int) -> Event:
    """One wire-format event (a dict) to its event object."""
    # ``type(raw) is dict`` first: JSON gives dicts, and the Mapping check is several times slower.
    if type(raw) is not dict and not isinstance(raw, Mapping):
        raise InvalidEvent(index, None, raw, "an event must be a JSON object")
    kind = raw.get("type")
    hook = _WIRE_HOOKS.get(kind) if isinstance(kind, str) else None
    if hook is None:
        raise InvalidEvent(index, "type", kind, f"unknown event type; expected one of {sorted(EVENT_TYPES)}")
    cls = hook.cls
    if raw.keys() <= hook.keys:  # an unknown field is left to the detailed converter to name
        try:
            return hook.structure(raw, cls)
        except Exception:
            pass
    body = {k: v for k, v in raw.items() if k != "type"}
    try:
        _detailed.structure(body, cls)
    except Exception as exc:
        field, reason = _locate(exc)
        raise InvalidEvent(index, field, _value_at(body, field), reason) from None
    raise AssertionError("unreachable: the detailed converter accepted what the fast one refused")


def _locate(exc: BaseException) -> tuple[str | None, str]:
    """The field path and a reason, from a cattrs error tree."""
    path: list[str] = []
    while True:
        if isinstance(exc, ForbiddenExtraKeysError):
            extra = sorted(exc.extra_fields)
            return ".".join([*path, extra[0]]) if path or extra else None, "unknown field"
        if isinstance(exc, ClassValidationError | IterableValidationError):
            inner = exc.exceptions[0]
            for note in getattr(inner, "__notes__", []):
                name = getattr(note, "name", None)
                idx = getattr(note, "index", None)
                if name is not None:
                    path.append(name)
                elif idx is not None:
                    path[-1:] = [f"{path[-1]}[{idx}]"] if path else [f"[{idx}]"]
            exc = inner
            continue
        if isinstance(exc, KeyError):
            return ".".join(path) or None, "missing required field"
        if isinstance(exc, FieldError):  # raised by a validator, which names its field
            return ".".join([*path, exc.path]), exc.reason
        return ".".join(path) or None, str(exc) or type(exc).__name__


def _value_at(body: Mapping[str, Any], field: str | None) -> Any:
    if field is None:
        return None
    value: Any = body
    for part in field.replace("]", "").split("."):
        name, _, idx = part.partition("[")
        value = value.get(name) if isinstance(value, Mapping) else None
        if idx and isinstance(value, list) and int(idx) < len(value):
            value = value[int(idx)]
    return value


def unstructure_event(event: Event) -> dict[str, Any]:
    return converter.unstructure(event)  # type: ignore[no-any-return]


def parse_document(data: str | bytes | Mapping[str, Any]) -> tuple[str, Region, list[Any]]:
    """The header of an episode document, checked; its raw events list."""
    if isinstance(data, str | bytes):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as exc:
            raise InvalidEvent(
                None, None, exc.msg, f"not JSON (line {exc.lineno}, column {exc.colno})"
            ) from None
    if not isinstance(data, Mapping):
        raise InvalidEvent(None, None, type(data).__name__, "an episode must be a JSON object")
    fmt = data.get("format", FORMAT)
    if fmt != FORMAT:
        raise InvalidEvent(None, "format", fmt, f"unknown format; expected {FORMAT!r}")
    extra = sorted(set(data) - {"format", "patient_id", "region", "events"})
    if extra:
        raise InvalidEvent(None, extra[0], data[extra[0]], "unknown field")
    patient_id = data.get("patient_id")
    if not isinstance(patient_id, str) or not patient_id:
        raise InvalidEvent(None, "patient_id", patient_id, "expected a non-empty string")
    try:
        region = Region(str(data.get("region")))
    except ValueError:
        raise InvalidEvent(
            None, "region", data.get("region"), f"expected one of {[r.value for r in Region]}"
        ) from None
    events = data.get("events", [])
    if not isinstance(events, list):
        raise InvalidEvent(None, "events", type(events).__name__, "expected a list of events")
    return patient_id, region, events
