"""FHIR R4 in and out: an EHR's Bundle read into an Episode, and an Episode written as one.

>>> from episodes.fhir import load_bundle, dump_bundle, proposals
>>> loaded = load_bundle(bundle_json)            # doctest: +SKIP
>>> loaded.episode, loaded.skipped                # doctest: +SKIP

Needs the ``fhir`` extra (fhir.resources; its R4B models read R4 JSON). The mapping tables are
data files under ``episodes/fhir/data/``; docs/fhir.md lists them.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from .._episode import Episode
from ._errors import FhirError
from ._read import Reader, parse_bundle, to_episode
from ._tables import OURS, Codes, builtin
from ._write import dump_bundle_dict

#: The library's own code system: relief, exam findings, documentation items, care kinds...
CODE_SYSTEM = OURS


@attrs.frozen
class Loaded:
    """What ``load_bundle`` read: the episode, and the resources it skipped, counted by type."""

    episode: Episode
    skipped: dict[str, int]


def _codes(codes: str | Path | Mapping[str, Any] | None) -> Codes:
    table = builtin()
    if codes is None:
        return table
    if isinstance(codes, str | Path):
        try:
            local = tomllib.loads(Path(codes).read_text("utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise FhirError(
                "codes", None, str(codes)[:80], f"cannot read the local codes file ({exc})"
            ) from None
    else:
        local = dict(codes)
    rows = local.get("codes", [])
    if not isinstance(rows, list):
        raise FhirError("codes", None, "codes", "expected a list of tables")
    for i, row in enumerate(rows):
        if not isinstance(row, Mapping) or not all(
            isinstance(row.get(k), str) for k in ("system", "code", "means")
        ):
            raise FhirError("codes", None, f"codes[{i}]", "expected system, code and means (strings)")
    return table.with_local(local)


def read_bundle(
    bundle: str | bytes | Mapping[str, Any],
    *,
    region: str | None = None,
    codes: str | Path | Mapping[str, Any] | None = None,
) -> Loaded:
    """The episode of a Bundle and what was skipped (``load_bundle`` gives the episode alone)."""
    reader = Reader(parse_bundle(bundle), _codes(codes))
    reader.read()
    return Loaded(to_episode(reader, region), dict(reader.skipped))


def load_bundle(
    bundle: str | bytes | Mapping[str, Any],
    *,
    region: str | None = None,
    codes: str | Path | Mapping[str, Any] | None = None,
) -> Episode:
    """The Episode of a FHIR R4 Bundle (JSON text or dict); see ``read_bundle`` for what it skipped."""
    return read_bundle(bundle, region=region, codes=codes).episode


def dump_bundle(episode: Episode, *, indent: int | None = 2) -> str:
    """The episode as a FHIR R4 collection Bundle (JSON text); ``load_bundle`` reads it back equal."""
    return json.dumps(dump_bundle_dict(episode), indent=indent)


def proposals(bundle: str | bytes | Mapping[str, Any], *, codes: Any = None) -> list[dict[str, Any]]:
    """The bundle's ServiceRequests as proposals (wire dicts) for ``evaluate``."""
    data = parse_bundle(bundle)
    reader = Reader({"entry": []}, _codes(codes))  # reads each request as the procedure it asks for
    out: list[dict[str, Any]] = []
    for entry in data.get("entry") or ():
        r = entry.get("resource") or {}
        if r.get("resourceType") != "ServiceRequest" or r.get("status") in ("revoked", "entered-in-error"):
            continue
        asked = {
            "resourceType": "Procedure",
            "status": "completed",
            "code": r.get("code"),
            "performedDateTime": r.get("occurrenceDateTime"),
            "bodySite": r.get("bodySite"),
            "identifier": r.get("identifier"),
            "id": r.get("id"),
            "extension": r.get("extension"),
            "category": r.get("category"),
        }
        if not reader._Procedure({k: v for k, v in asked.items() if v is not None}):
            raise FhirError("ServiceRequest", r.get("id"), "code", "no procedure code this library knows")
        out.append({k: v for k, v in reader.events[-1].items() if v is not None})
    return out


__all__ = ["CODE_SYSTEM", "FhirError", "Loaded", "dump_bundle", "load_bundle", "proposals", "read_bundle"]
