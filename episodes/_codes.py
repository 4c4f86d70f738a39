"""CPT/HCPCS codes: what each names, read from the table ``episodes/data/cpt.toml``.

The table is data (the seeds' code lists); this module only reads it.  A code
names a service, the regions its level may be in, and which level of a session
it codes; not whether an injection is diagnostic (a proposal's ``intent`` says).
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Literal

import cattrs
from attrs import frozen

from ._events import Approach, ProcedureKind, Region

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
