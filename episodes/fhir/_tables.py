"""The mapping tables of episodes.fhir, read once from the data files under ``data/``."""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Callable
from importlib import resources
from typing import Any, TypeVar

import attrs

OURS = "https://facet-episodes.example/fhir/CodeSystem/episode"
EXT = "https://facet-episodes.example/fhir/StructureDefinition/"
LATERALITY = "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-laterality-qualifier"
SIDES = {"7771000": "left", "24028007": "right", "51440002": "bilateral"}
SIDE_CODES = {v: k for k, v in SIDES.items()}
UNSUCCESSFUL = "385671000"
T = TypeVar("T")


def by_prefix(get: Callable[[str], T | None], code: str) -> T | None:
    """What ``get`` says of the longest prefix of ``code`` it knows: an ICD-10-CM category
    covers the codes under it, and the most specific entry wins."""
    for n in range(len(code), 0, -1):
        found = get(code[:n])
        if found is not None:
            return found
    return None


@attrs.frozen
class Codes:
    """``(system URI, code) -> means`` and the standard system URIs by short name."""

    systems: dict[str, str]
    means: dict[tuple[str, str], str]
    synonyms: dict[str, tuple[str, ...]]

    def lookup(self, system: str | None, code: str | None) -> str | None:
        if system is None or code is None:
            return None
        if system == OURS:
            return code
        if system == self.systems["icd10cm"]:
            return by_prefix(lambda c: self.means.get((system, c)), code)
        return self.means.get((system, code))

    def code_for(self, means: str, system: str) -> str | None:
        """The first code of ``system`` (a short name) the table gives for ``means``."""
        return self._codes_for.get((self.systems[system], means))

    @functools.cached_property
    def _codes_for(self) -> dict[tuple[str, str], str]:
        found: dict[tuple[str, str], str] = {}
        for (system, code), means in self.means.items():
            found.setdefault((system, means), code)
        return found

    def with_local(self, local: dict[str, Any]) -> Codes:
        means = dict(self.means)
        for row in local.get("codes", []):
            means[(str(row["system"]), str(row["code"]))] = str(row["means"])
        return Codes(self.systems, means, self.synonyms)


@functools.cache
def builtin() -> Codes:
    data = resources.files("episodes.fhir") / "data"
    raw = tomllib.loads((data / "codes.toml").read_text("utf-8"))
    words = tomllib.loads((data / "words.toml").read_text("utf-8"))
    systems = {k: str(v) for k, v in raw["systems"].items()}
    means = {(systems.get(r["system"], r["system"]), str(r["code"])): str(r["means"]) for r in raw["codes"]}
    synonyms = {k: tuple(v) for k, v in words["synonyms"].items()}
    return Codes(systems, means, synonyms)


def markdown() -> str:
    """The built-in code tables as the Markdown table docs/fhir.md shows (between its markers)."""
    codes = builtin()
    names = {uri: name for name, uri in codes.systems.items()}
    lines = ["| system | code | means |", "|---|---|---|"]
    for (system, code), means in codes.means.items():
        lines.append(f"| {names.get(system, system)} | `{code}` | `{means}` |")
    lines += ["", "| finding | words in a conclusion (besides the finding's own words) |", "|---|---|"]
    for finding, words in codes.synonyms.items():
        lines.append(f"| `{finding}` | {', '.join(words)} |")
    return "\n".join(lines) + "\n"
