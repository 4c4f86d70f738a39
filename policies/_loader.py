"""Policy files: TOML, structured into the engine's attrs classes by cattrs.

Every mistake of a file is collected and reported at once, each with the file
and the field path (``plan.toml: $.steps.mbb2.criteria[1].percent: ...``).
"""

from __future__ import annotations

import enum
import re
import tomllib
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import cattrs
from cattrs.errors import ForbiddenExtraKeysError
from pendulum import Date

from episodes._errors import kind_of, shown
from episodes._events import ENUMS
from episodes._pathway import STEPS, StepName
from episodes._policy import Policy
from episodes._rules import KINDS, Compare, Criterion
from episodes._rules.care import CareDuration
from episodes._rules.outcomes import Percent
from episodes._rules.timing import Count
from episodes._time import Duration, Unit, as_date


class PolicyError(ValueError):
    """A policy that cannot be loaded; ``problems`` lists each mistake with its field path."""

    def __init__(self, source: str, problems: list[str]) -> None:
        super().__init__(source, problems)
        self.source = source
        self.problems = problems

    def __str__(self) -> str:
        if len(self.problems) == 1:
            return f"{self.source}: {self.problems[0]}"
        listed = "\n".join(f"  {self.source}: {p}" for p in self.problems)
        return f"{self.source}: {len(self.problems)} problems\n{listed}"


class UnknownPolicy(PolicyError, LookupError):
    """No bundled policy has that id."""


class _Refused(ValueError):
    """A hook's refusal, in the words a policy's author reads."""


def _converter() -> cattrs.Converter:
    c = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)

    def strict(*types: type) -> Any:
        def hook(value: Any, t: Any) -> Any:
            if type(value) not in types:
                raise _Refused(f"expected {' or '.join(_NAMES[x] for x in types)}, got {kind_of(value)}")
            return value

        return hook

    c.register_structure_hook(str, strict(str))
    c.register_structure_hook(bool, strict(bool))
    c.register_structure_hook(int, strict(int))
    c.register_structure_hook(float, strict(int, float))

    def enum_hook(value: Any, cls: type[enum.Enum]) -> enum.Enum:
        found = next((m for m in cls if m.value == value), None) if type(value) is str else None
        if found is None:
            raise _Refused(f"expected one of {[m.value for m in cls]}, got {shown(value)}")
        return found

    for e in (*ENUMS, Compare):
        c.register_structure_hook(e, enum_hook)

    def percent(value: Any, _: Any) -> float:
        if type(value) not in (int, float) or not 0 <= value <= 100:
            raise _Refused(f"expected a percent from 0 to 100, got {shown(value)}")
        return value  # type: ignore[no-any-return]

    def count(value: Any, _: Any) -> int:
        if type(value) is not int or value < 1:
            raise _Refused(f"expected a whole number of at least 1, got {shown(value)}")
        return value

    def duration(value: Any, _: Any) -> Duration:
        try:
            return Duration.parse(value)
        except ValueError as exc:
            raise _Refused(str(exc)) from None

    def care_duration(value: Any, _: Any) -> Duration:
        d = duration(value, _)
        if d.unit not in (Unit.DAY, Unit.WEEK):
            raise _Refused(f"a course of care is counted in days or weeks, got {shown(value)}")
        return d

    def a_date(value: Any, _: Any) -> Date:
        if type(value) is not date:  # a TOML date, not a date-time
            raise _Refused(f"expected a TOML date (2026-07-23), got {shown(value)}")
        return as_date(value)

    def criterion(value: Any, _: Any) -> Criterion:
        if not isinstance(value, dict):
            raise _Refused("expected a table")
        kind = value.get("kind")
        cls = KINDS.get(kind) if type(kind) is str else None
        if cls is None:
            raise _Refused(f"unknown criterion kind {shown(kind)}; expected one of {sorted(KINDS)}")
        made = c.structure({k: v for k, v in value.items() if k != "kind"}, cls)
        if not made.cite.strip():
            raise _Refused("cite is empty: every criterion cites the section it comes from")
        return made

    def step_name(value: Any, _: Any) -> str:
        if value not in STEPS:
            raise _Refused(f"unknown step {shown(value)}; expected one of {list(STEPS)}")
        return value  # type: ignore[no-any-return]

    c.register_structure_hook(Percent, percent)
    c.register_structure_hook(Count, count)
    c.register_structure_hook(Duration, duration)
    c.register_structure_hook(CareDuration, care_duration)
    c.register_structure_hook(Date, a_date)
    # by predicate: a class hook would catch every subclass, the kinds themselves
    c.register_structure_hook_func(lambda t: t is Criterion, criterion)
    c.register_structure_hook_func(lambda t: t == StepName, step_name)
    return c


_CONVERTER = _converter()


def parse(data: dict[str, Any], source: str) -> Policy:
    """A policy from its parsed TOML; ``source`` names it in errors."""
    try:
        return _CONVERTER.structure(data, Policy)
    except RecursionError:
        raise PolicyError(source, ["$: nested too deep"]) from None
    except Exception as exc:
        raise PolicyError(source, [_path(p) for p in cattrs.transform_error(exc, "$", _problem)]) from None


def _problem(exc: BaseException, t: Any) -> str:
    """Our wording of one mistake, for ``cattrs.transform_error``."""
    if isinstance(exc, _Refused):
        return str(exc)
    if isinstance(exc, KeyError):
        return "required field missing"
    if isinstance(exc, ForbiddenExtraKeysError):  # named, never with their values
        return "unknown field " + ", ".join(shown(k) for k in sorted(map(str, exc.extra_fields)))
    if isinstance(exc, ValueError):  # a class's own check (steps.X.includes, if_prior, lists)
        return shown(str(exc)).strip("'")
    name = getattr(t, "__name__", None)
    return f"expected {_WORDS.get(name, 'a value of another type')}" if name else "invalid value"


_NAMES = {str: "a string", bool: "true or false", int: "a whole number", float: "a number"}
_WORDS = {"tuple": "a list", "dict": "a table", "str": "a string", "int": "a whole number"}
_KEY = re.compile(r"\['([A-Za-z_][\w-]*)'\]")


def _path(problem: str) -> str:
    """``reason @ $.steps['mbb2'].criteria[1]`` as ``$.steps.mbb2.criteria[1]: reason``."""
    reason, _, path = problem.rpartition(" @ ")
    return _KEY.sub(r".\1", path) + f": {reason}"


def load_file(path: str | Path) -> Policy:
    """A policy from a TOML file of one's own (UTF-8, as TOML is)."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise PolicyError(str(p), [f"cannot read: {exc.strerror}"]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PolicyError(p.name, [f"not UTF-8 text (byte {exc.start}); TOML files are UTF-8"]) from None
    return _parse_text(text, p.name)


def _parse_text(text: str, source: str) -> Policy:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(source, [f"not TOML: {exc}"]) from None
    except RecursionError:
        raise PolicyError(source, ["not TOML: nested too deep"]) from None
    return parse(data, source)


_BUNDLED = resources.files(__package__)


def available() -> tuple[str, ...]:
    """The ids of the bundled policies."""
    return tuple(sorted(f.name[:-5] for f in _BUNDLED.iterdir() if f.name.endswith(".toml")))


_CACHE: dict[str, Policy] = {}


def load(policy_id: str) -> Policy:
    """A bundled policy by id (``"centene-facet"``); loaded once, then shared (policies are frozen)."""
    cached = _CACHE.get(policy_id)
    if cached is not None:
        return cached
    if policy_id not in available():
        raise UnknownPolicy(policy_id, [f"no bundled policy; available: {', '.join(available())}"])
    name = f"{policy_id}.toml"
    policy = _parse_text(_BUNDLED.joinpath(name).read_text(encoding="utf-8"), name)
    if policy.id != policy_id:
        raise PolicyError(name, [f"$.id: expected {policy_id!r} (the file's name), got {policy.id!r}"])
    _CACHE[policy_id] = policy
    return policy
