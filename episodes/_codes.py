"""CPT/HCPCS codes: what each names, read from the table ``episodes/data/cpt.toml``.

The table is data (the seeds' code lists); this module only reads it.  A code
names a service, the regions its level may be in, and which level of a session
it codes; not whether an injection is diagnostic (a proposal's ``intent`` says).
"""

from __future__ import annotations

import enum
import tomllib
from collections.abc import Sequence
from functools import cache, lru_cache
from importlib import resources
from typing import Literal

import cattrs
from attrs import frozen

from ._events import Approach, ProcedureKind, Region, Side

Service = Literal["facet_injection", "rfa", "esi", "unlisted"]


@frozen
class CodeInfo:
    """One row of the code table."""

    code: str
    service: Service
    regions: tuple[Region, ...]
    #: Which level of a session it codes: 1 the first, 2 the second, 3 the third and later
    #: (add-on codes); 0 for a code billed once a session whatever the levels.
    level: int
    description: str
    source: str
    #: One unit for each further level (an ablation's, a transforaminal injection's add-on).
    per_level: bool = False
    approach: Approach | None = None
    #: ``False`` for an alternative code (ultrasound guidance, no imaging): a request names the other.
    requested: bool = True

    @property
    def add_on(self) -> bool:
        return self.level > 1


@frozen
class CodeTable:
    services: dict[Service, tuple[ProcedureKind, ...]]
    codes: tuple[CodeInfo, ...]

    def procedures(self, info: CodeInfo) -> tuple[ProcedureKind, ...]:
        """The procedure kinds a code may be (a facet injection: a block or an intra-articular one)."""
        return self.services[info.service]


@cache
def table() -> CodeTable:
    """The code table, read once."""
    text = resources.files(__package__).joinpath("data/cpt.toml").read_text(encoding="utf-8")
    return cattrs.structure(tomllib.loads(text), CodeTable)


@cache
def _by_code() -> dict[str, CodeInfo]:
    return {c.code: c for c in table().codes}


def lookup(code: str) -> CodeInfo | None:
    """The table's row for ``code`` (``None`` for a code it does not list)."""
    return _by_code().get(code.strip().upper()) if isinstance(code, str) else None


# --- Code lines: what to request, as Medicare bills it (billing article A58364) -----------------

#: The side modifiers: bilateral is ``50`` with 1 unit; one side is ``LT`` or ``RT``.
SIDE_MODIFIER: dict[Side, str] = {Side.BILATERAL: "50", Side.LEFT: "LT", Side.RIGHT: "RT"}
_SIDE_OF_MODIFIER = {m: s for s, m in SIDE_MODIFIER.items()}


@frozen
class CodeLine:
    """One line of a request or a claim: a code, its units and its modifiers (``50``, ``LT``, ``RT``)."""

    code: str
    units: int = 1
    modifiers: tuple[str, ...] = ()

    def __str__(self) -> str:
        mods = "".join(f"-{m}" for m in self.modifiers)
        return f"{self.code}{mods}" + (f" x{self.units}" if self.units != 1 else "")


#: The service of each procedure kind.
_SERVICE_OF: dict[ProcedureKind, Service] = {
    ProcedureKind.MBB: "facet_injection",
    ProcedureKind.IA_FACET: "facet_injection",
    ProcedureKind.RFA: "rfa",
    ProcedureKind.ESI: "esi",
    ProcedureKind.PULSED_RFA: "unlisted",
    ProcedureKind.FACET_CYST_ASPIRATION: "unlisted",
}


def _request_rows(service: Service, region: Region, approach: Approach | None) -> dict[int, CodeInfo]:
    """The codes to request for a service in a region, by the level each codes."""
    if service == "esi" and approach is not Approach.TRANSFORAMINAL:
        approach = Approach.INTERLAMINAR  # interlaminar and caudal share their codes
    rows: dict[int, CodeInfo] = {}
    for c in table().codes:
        fits = service != "esi" or c.approach is approach
        if c.service == service and region in c.regions and c.requested and fits:
            rows.setdefault(c.level, c)
    return rows


@lru_cache(maxsize=1024)
def lines(
    kind: ProcedureKind,
    region: Region,
    levels: int,
    side: Side | None,
    approach: Approach | None = None,
) -> tuple[CodeLine, ...]:
    """The lines to request for ``levels`` levels of a procedure (``side`` ``None``: no modifier).

    The first level takes the primary code, the second the add-on, the third and later the last
    add-on (billed once); where the add-on is per level (ablation, transforaminal), one unit per
    further level.  A code billed once a session (interlaminar, unlisted) is one line.
    Kept by its arguments: a plan asks the same few for every episode.
    """
    rows = _request_rows(_SERVICE_OF[kind], region, approach)
    mods = (SIDE_MODIFIER[side],) if side is not None else ()
    out: list[CodeLine] = []
    if 0 in rows:
        return (CodeLine(rows[0].code, 1, mods),)
    n = max(levels, 1)
    for level, info in sorted(rows.items()):
        if level == 1:
            out.append(CodeLine(info.code, 1, mods))
        elif info.per_level and n >= 2:
            out.append(CodeLine(info.code, n - 1, mods))
        elif level in (2, 3) and n >= level:
            out.append(CodeLine(info.code, 1, mods))
    return tuple(out)


# --- Codes given for a procedure: a proposal's, a recorded procedure's ----------------------------


class Intent(enum.StrEnum):
    """What a facet injection given as codes is for: ``diagnostic`` (a block) or ``therapeutic``."""

    DIAGNOSTIC = "diagnostic"
    THERAPEUTIC = "therapeutic"


_INTENT_KIND = {Intent.DIAGNOSTIC: ProcedureKind.MBB, Intent.THERAPEUTIC: ProcedureKind.IA_FACET}


def split(code: str) -> tuple[str, str | None]:
    """``64493-50`` -> (``64493``, ``50``); a code without a modifier has ``None``."""
    base, _, mod = code.strip().upper().partition("-")
    return base, (mod or None)


@frozen
class CodeProblem:
    """Where codes disagree with what they are given for: ``field`` (``codes[1]``), ``reason``."""

    field: str
    value: str
    reason: str

    def __str__(self) -> str:
        return f"{self.field} {self.value}: {self.reason}"


def problems(
    codes: Sequence[str],
    region: Region,
    levels: int,
    side: Side | None = None,
    kind: ProcedureKind | None = None,
) -> tuple[CodeProblem, ...]:
    """Every way ``codes`` disagree with the region, the number of levels, the side and the kind.

    Empty where they agree.  The level count is judged per service: a primary code for the first
    level, the add-on for a second, the last add-on for a third or more.
    """
    out: list[CodeProblem] = []
    infos: list[tuple[int, CodeInfo]] = []
    for i, raw in enumerate(codes):
        base, mod = split(raw)
        info = lookup(base)
        where = f"codes[{i}]"
        if info is None:
            out.append(CodeProblem(where, raw, "not a code of the table (episodes/data/cpt.toml)"))
            continue
        infos.append((i, info))
        if region not in info.regions:
            out.append(CodeProblem(where, raw, f"a {' or '.join(info.regions)} code; the region is {region}"))
        if kind is not None and kind not in table().procedures(info):
            out.append(CodeProblem(where, raw, f"codes {' or '.join(table().procedures(info))}, not {kind}"))
        if mod is not None and side is not None and _SIDE_OF_MODIFIER.get(mod) is not side:
            out.append(CodeProblem(where, raw, f"modifier {mod} does not say {side}"))
    services = {info.service for _, info in infos}
    if len(services) > 1:
        out.append(CodeProblem("codes", ", ".join(codes), "codes of different services"))
        return tuple(out)
    levelled = [(i, info) for i, info in infos if info.level > 0]
    if levelled:
        have = {info.level for _, info in levelled}
        per_level = any(info.per_level for _, info in levelled)
        want = {1} | ({2} if levels >= 2 else set()) | ({3} if levels >= 3 and not per_level else set())
        if have != want:
            names = ", ".join(codes)
            out.append(
                CodeProblem("codes", names, f"{_counted(have, per_level)}; the procedure has {levels}")
            )
    return tuple(out)


def _counted(have: set[int], per_level: bool) -> str:
    if 1 not in have:
        return "no primary code (an add-on alone)"
    if per_level or 3 in have:
        return "codes for three or more levels" if 3 in have else "codes for two or more levels"
    return "codes for two levels" if 2 in have else "codes for one level"


def kind_of(codes: Sequence[str], intent: Intent | str | None = None) -> ProcedureKind | None:
    """The procedure kind ``codes`` name (a facet injection by its ``intent``, diagnostic by default);
    ``None`` where the codes leave it open (an unlisted code) or name no one kind."""
    kinds: set[ProcedureKind] = set()
    for raw in codes:
        info = lookup(split(raw)[0])
        if info is None:
            return None
        if info.service == "facet_injection":
            kinds.add(_INTENT_KIND[Intent(intent or Intent.DIAGNOSTIC)])
        else:
            kinds.update(table().procedures(info))
    return kinds.pop() if len(kinds) == 1 else None


def approach_of(codes: Sequence[str]) -> Approach | None:
    """The ESI approach the codes imply (``None`` for other codes)."""
    for raw in codes:
        info = lookup(split(raw)[0])
        if info is not None and info.approach is not None:
            return info.approach
    return None


def side_of(codes: Sequence[str]) -> Side | None:
    """The side the codes' modifiers say, where they say one."""
    for raw in codes:
        mod = split(raw)[1]
        if mod in _SIDE_OF_MODIFIER:
            return _SIDE_OF_MODIFIER[mod]
    return None
