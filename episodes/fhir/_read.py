"""FHIR R4 Bundle -> the episode's wire-format dict, then ``load_episode``."""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

from .. import _codes
from .._errors import EpisodeError, InvalidEvent
from .._events import LEVEL_SET, region_of
from .._wire import read_json
from ._errors import FhirError
from ._tables import EXT, LATERALITY, OURS, SIDES, UNSUCCESSFUL, Codes, by_prefix

_LEVEL_RE = re.compile(r"\b([CTL]\d{1,2}-[CTLS]\d{1,2})\b")
_USED = frozenset(
    {
        "Condition",
        "Procedure",
        "Observation",
        "MedicationStatement",
        "MedicationRequest",
        "ImagingStudy",
        "DiagnosticReport",
        "DocumentReference",
        "ClaimResponse",
        "Patient",
    }
)


def parse_bundle(bundle: str | bytes | Mapping[str, Any]) -> dict[str, Any]:
    try:
        bundle = read_json(bundle)
    except ValueError as exc:
        raise FhirError("Bundle", None, "", str(exc)) from None
    if not isinstance(bundle, Mapping) or bundle.get("resourceType") != "Bundle":
        raise FhirError("Bundle", None, "resourceType", "expected a FHIR Bundle")
    if bundle.get("type") not in ("collection", "searchset", "transaction", "batch", "document"):
        raise FhirError(
            "Bundle", _id(bundle), "type", "expected a collection, searchset, transaction, batch or document"
        )
    _validate(bundle)
    return dict(bundle)


def _id(r: Mapping[str, Any]) -> str | None:
    v = r.get("id")
    return v if isinstance(v, str) else None


def _validate(bundle: Mapping[str, Any]) -> None:
    try:
        from fhir.resources.R4B import get_fhir_model_class
        from pydantic import ValidationError
    except ImportError:  # pragma: no cover - depends on the install
        raise ImportError(
            "episodes.fhir needs the 'fhir' extra: pip install 'facet-episodes[fhir]'"
        ) from None
    entries = bundle.get("entry") or []
    if not isinstance(entries, list):
        raise FhirError("Bundle", _id(bundle), "entry", "expected a list")
    try:
        get_fhir_model_class("Bundle").model_validate({**bundle, "entry": []})
    except ValidationError as exc:
        raise FhirError("Bundle", _id(bundle), _loc(exc), _msg(exc)) from None
    for i, entry in enumerate(entries):
        r = entry.get("resource") if isinstance(entry, Mapping) else None
        if not isinstance(r, Mapping) or not isinstance(r.get("resourceType"), str):
            raise FhirError("Bundle", _id(bundle), f"entry[{i}].resource", "expected a resource")
        rtype = r["resourceType"]
        if rtype not in _USED:
            continue  # not read: not validated either
        try:
            get_fhir_model_class(rtype).model_validate(r)
        except ValidationError as exc:
            raise FhirError(rtype, _id(r), _loc(exc), _msg(exc)) from None


def _loc(exc: Any) -> str:
    errs = exc.errors()
    return ".".join(str(p) for p in errs[0]["loc"]) if errs else ""


def _msg(exc: Any) -> str:
    errs = exc.errors()
    return str(errs[0]["msg"])[:120] if errs else "invalid"


def _codings(cc: Any) -> list[tuple[str | None, str | None]]:
    if not isinstance(cc, Mapping):
        return []
    return [(c.get("system"), c.get("code")) for c in cc.get("coding") or () if isinstance(c, Mapping)]


def _named(means: list[str], kind: str) -> list[str]:
    """Of a resource's meanings (``care.nsaid``, ``finding.fracture``), the names of one kind."""
    head = kind + "."
    return [m[len(head) :] for m in means if m.startswith(head)]


def _day(v: Any) -> str | None:
    return v[:10] if isinstance(v, str) else None


def _ext(r: Mapping[str, Any], name: str) -> dict[str, Any] | None:
    for e in r.get("extension") or ():
        if e.get("url") == EXT + name:
            return dict(e)
    return None


def _ext_levels(r: Mapping[str, Any]) -> list[str] | None:
    e = _ext(r, "levels")
    return None if e is None else str(e.get("valueString", "")).split()


class Reader:
    """Reads one bundle's resources into wire events, keeping where each came from."""

    def __init__(self, bundle: dict[str, Any], codes: Codes) -> None:
        self.codes = codes
        self.entries = [e for e in bundle.get("entry") or () if isinstance(e, Mapping)]
        self.bundle = bundle
        self.events: list[dict[str, Any]] = []
        self.sources: list[tuple[str, str | None, dict[str, str]]] = []
        self.skipped: Counter[str] = Counter()
        self.patient_id: str | None = None
        self.by_ref: dict[str, Mapping[str, Any]] = {}
        for e in self.entries:
            r = e["resource"]
            if isinstance(e.get("fullUrl"), str):
                self.by_ref[e["fullUrl"]] = r
            if _id(r):
                self.by_ref[f"{r['resourceType']}/{r['id']}"] = r
        self.procedure_ids: dict[int, str] = {}

    def means(self, cc: Any) -> list[str]:
        out = []
        for s, c in _codings(cc):
            m = self.codes.lookup(s, c)
            if m is not None:
                out.append(m)
        return out

    def add(self, r: Mapping[str, Any], ev: dict[str, Any], paths: dict[str, str]) -> None:
        self.events.append(ev)
        self.sources.append((r["resourceType"], _id(r), paths))

    def skip(self, r: Mapping[str, Any]) -> None:
        self.skipped[r["resourceType"]] += 1

    def read(self) -> None:
        for e in self.entries:
            r = e["resource"]
            fn = getattr(self, "_" + r["resourceType"], None)
            if fn is None or fn(r) is False:
                self.skip(r)

    # -- resources -------------------------------------------------------------------------------

    def _Patient(self, r: Mapping[str, Any]) -> bool:
        for ident in r.get("identifier") or ():
            if isinstance(ident.get("value"), str):
                self.patient_id = ident["value"]
                return True
        self.patient_id = _id(r)
        return True

    def _Condition(self, r: Mapping[str, Any]) -> bool:
        ver = {c for _, c in _codings(r.get("verificationStatus"))}
        if ver & {"refuted", "entered-in-error"}:
            return False
        means = self.means(r.get("code"))
        cats: set[str | None] = set()
        for cat in r.get("category") or ():
            cats |= {c for s, c in _codings(cat) if s == OURS}
        start = _day(r.get("onsetDateTime")) or _day(r.get("recordedDate"))
        end = _day(r.get("abatementDateTime"))
        used = False
        if "symptom_onset" in means:
            ev: dict[str, Any] = {"type": "symptom_onset", "date": start}
            e = _ext(r, "radiating")
            if e is not None:
                ev["radiating"] = e.get("valueBoolean")
            self.add(r, ev, {"date": "onsetDateTime", "radiating": "extension"})
            return True
        icd = [c for s, c in _codings(r.get("code")) if s == self.codes.systems["icd10cm"]]
        if icd:
            date = _day(r.get("recordedDate")) or start
            self.add(
                r,
                {"type": "diagnosis", "code": icd[0], "date": date, "end": end},
                {"code": "code.coding", "date": "recordedDate", "end": "abatementDateTime"},
            )
            used = True
        conditions = _named(means, "condition") if "diagnosis" not in cats else []
        if conditions:
            self.add(
                r,
                {
                    "type": "condition",
                    "condition": conditions[0],
                    "start": start,
                    "end": end,
                    "levels": _ext_levels(r),
                },
                {"start": "onsetDateTime", "end": "abatementDateTime", "levels": "extension"},
            )
            return True
        return used

    def _Procedure(self, r: Mapping[str, Any]) -> bool:
        if r.get("status") in ("not-done", "entered-in-error", "preparation"):
            return False
        means = self.means(r.get("code"))
        period = r.get("performedPeriod") or {}
        cares = _named(means, "care")
        if cares:
            ev: dict[str, Any] = {
                "type": "care",
                "care": cares[0],
                "start": _day(period.get("start")),
                "end": _day(period.get("end")),
            }
            oc = r.get("outcome")
            if isinstance(oc, Mapping):
                if any(c == UNSUCCESSFUL for _, c in _codings(oc)):
                    ev["response"] = "failed"
                elif isinstance(oc.get("text"), str):
                    ev["response"] = oc["text"].strip().lower()
            for name in ("not_tolerated", "contraindicated"):
                e = _ext(r, name)
                if e is not None:
                    ev[name] = e.get("valueBoolean")
            comps = [
                e.get("valueCode") for e in r.get("extension") or () if e.get("url") == EXT + "component"
            ]
            if comps:
                ev["components"] = comps
            self.add(
                r,
                ev,
                {
                    "start": "performedPeriod.start",
                    "end": "performedPeriod.end",
                    "response": "outcome",
                    "care": "code",
                },
            )
            return True
        cpt = [c for s, c in _codings(r.get("code")) if s == self.codes.systems["cpt"] and c]
        coded = _named(means, "procedure")  # our own code names the procedure
        kind = coded[0] if coded else None
        if kind is None and cpt:
            cats = r.get("category")  # one CodeableConcept on a Procedure, a list on a ServiceRequest
            cats = cats if isinstance(cats, list) else [cats]
            therapeutic = any(s == OURS and c == "therapeutic" for cat in cats for s, c in _codings(cat))
            found = _codes.kind_of(cpt, "therapeutic" if therapeutic else None)
            kind = found.value if found is not None else None
        if kind is None:
            return False
        levels: list[str] = []
        sides: set[str] = set()
        for site in r.get("bodySite") or ():
            lv = site.get("text") if site.get("text") in LEVEL_SET else None
            lv = lv or next((c for _, c in _codings(site) if c in LEVEL_SET), None)
            if lv is None:
                lv = site.get("text") or next((c for _, c in _codings(site)), None)
            if lv is not None:
                levels.append(lv)
            for e in site.get("extension") or ():
                if e.get("url") == LATERALITY:
                    sides |= {SIDES[c] for _, c in _codings(e.get("valueCodeableConcept")) if c in SIDES}
        ident = next(
            (i.get("value") for i in r.get("identifier") or () if i.get("system") == OURS + "/procedure-id"),
            None,
        ) or _id(r)
        ev = {
            "type": "procedure",
            "id": ident,
            "procedure": kind,
            "date": _day(r.get("performedDateTime")) or _day(period.get("start")),
            "levels": levels,
            "side": "bilateral" if len(sides) > 1 else next(iter(sides), None),
        }
        e = _ext(r, "approach")
        if e is not None:
            ev["approach"] = e.get("valueCode")
        elif not coded:
            # An EHR's own record: the billed code names the approach (64483: transforaminal).
            approach = _codes.approach_of(cpt)
            ev["approach"] = approach.value if approach is not None else None
        if ev["side"] is None and cpt:
            side = _codes.side_of(cpt)
            ev["side"] = side.value if side is not None else None
        if cpt:
            ev["codes"] = cpt
        self.procedure_ids[id(r)] = str(ident)
        self.add(
            r,
            ev,
            {
                "id": "identifier",
                "procedure": "code",
                "date": "performedDateTime" if r.get("performedDateTime") else "performedPeriod.start",
                "levels": "bodySite",
                "side": "bodySite.extension",
                "codes": "code.coding",
            },
        )
        return True

    def _Observation(self, r: Mapping[str, Any]) -> bool:
        if r.get("status") in ("entered-in-error", "cancelled"):
            return False
        means = self.means(r.get("code"))
        date = _day(r.get("effectiveDateTime")) or _day((r.get("effectivePeriod") or {}).get("start"))
        if "relief_percent" in means:
            target = None
            for ref in (r.get("partOf") or []) + (r.get("focus") or []):
                res = self.by_ref.get(ref.get("reference", ""))
                if res is not None and id(res) in self.procedure_ids:
                    target = self.procedure_ids[id(res)]
            vq = r.get("valueQuantity") or {}
            if vq.get("value") is None:
                return False
            ev: dict[str, Any] = {
                "type": "outcome",
                "procedure_id": target,
                "date": date,
                "relief_percent": vq.get("value"),
            }
            for comp in r.get("component") or ():
                if "functional_improvement" in self.means(comp.get("code")):
                    ev["functional_improvement"] = comp.get("valueBoolean")
            self.add(
                r,
                ev,
                {
                    "procedure_id": "partOf",
                    "date": "effectiveDateTime",
                    "relief_percent": "valueQuantity.value",
                },
            )
            return True
        fields: dict[str, Any] = {}
        parts = [(means, r)] + [(self.means(c.get("code")), c) for c in r.get("component") or ()]
        for ms, part in parts:
            for m in ms:
                if m == "nrs":
                    v = part.get("valueInteger")
                    if v is None and isinstance(part.get("valueQuantity"), Mapping):
                        v = part["valueQuantity"].get("value")
                    fields["nrs"] = v  # the wire makes 8.0 a whole 8 and refuses 7.5
                elif m.startswith("exam."):
                    fields[m[5:]] = part.get("valueBoolean")
        if not fields and "exam" not in means:
            return False
        self.add(r, {"type": "exam", "date": date, **fields}, {"date": "effectiveDateTime", "nrs": "value"})
        return True

    def _medication(self, r: Mapping[str, Any], start: str | None, end: str | None) -> bool:
        if r.get("status") in ("entered-in-error", "not-taken", "cancelled", "draft"):
            return False
        means = self.means(r.get("medicationCodeableConcept"))
        for m in means:
            kind, what = m.split(".", 1) if "." in m else (m, "")
            if kind == "care":
                e = _ext(r, "response")
                response = e.get("valueCode") if e else None
                self.add(
                    r,
                    {"type": "care", "care": what, "start": start, "end": end, "response": response},
                    {"start": "effectivePeriod.start", "end": "effectivePeriod.end"},
                )
                return True
            if kind == "condition":
                self.add(
                    r,
                    {"type": "condition", "condition": what, "start": start, "end": end},
                    {"start": "effectivePeriod.start", "end": "effectivePeriod.end"},
                )
                return True
        return False

    def _MedicationStatement(self, r: Mapping[str, Any]) -> bool:
        p = r.get("effectivePeriod") or {}
        return self._medication(
            r, _day(p.get("start")) or _day(r.get("effectiveDateTime")), _day(p.get("end"))
        )

    def _MedicationRequest(self, r: Mapping[str, Any]) -> bool:
        p = (r.get("dispenseRequest") or {}).get("validityPeriod") or {}
        return self._medication(r, _day(p.get("start")) or _day(r.get("authoredOn")), _day(p.get("end")))

    def _modality(self, codings: list[tuple[str | None, str | None]]) -> str | None:
        means = [m for s, c in codings if (m := self.codes.lookup(s, c)) is not None]
        return next(iter(_named(means, "modality")), None)

    def _ImagingStudy(self, r: Mapping[str, Any]) -> bool:
        codings = [(m.get("system"), m.get("code")) for m in r.get("modality") or ()]
        modality = self._modality(codings)
        if modality is None:
            return False
        self.add(
            r,
            {"type": "imaging", "date": _day(r.get("started")), "modality": modality, "findings": []},
            {"date": "started", "modality": "modality"},
        )
        return True

    def _DiagnosticReport(self, r: Mapping[str, Any]) -> bool:
        codings = _codings(r.get("code"))
        for cat in r.get("category") or ():
            codings += _codings(cat)
        modality = self._modality(codings)
        if modality is None:
            return False
        coded = (f for cc in r.get("conclusionCode") or () for f in _named(self.means(cc), "finding"))
        findings = list(dict.fromkeys(coded))  # each once
        levels = _ext_levels(r)
        levels_from = "extension" if levels is not None else "conclusion"
        text = r.get("conclusion")
        if not findings and isinstance(text, str):
            low = text.lower()
            for finding, words in self.codes.synonyms.items():
                if finding.replace("_", " ") in low or any(w in low for w in words):
                    findings.append(finding)
        if levels is None and isinstance(text, str):
            named = [lv for lv in _LEVEL_RE.findall(text) if lv in LEVEL_SET]
            levels = list(dict.fromkeys(named)) or None
        self.add(
            r,
            {
                "type": "imaging",
                "date": _day(r.get("effectiveDateTime")),
                "modality": modality,
                "findings": findings,
                "levels": levels,
            },
            {
                "date": "effectiveDateTime",
                "modality": "code",
                "findings": "conclusionCode",
                "levels": levels_from,
            },
        )
        return True

    def _DocumentReference(self, r: Mapping[str, Any]) -> bool:
        if r.get("status") == "entered-in-error":
            return False
        items = _named(self.means(r.get("type")), "documentation")
        if not items:
            return False
        date = _day(r.get("date")) or _day(((r.get("context") or {}).get("period") or {}).get("start"))
        self.add(
            r, {"type": "documentation", "item": items[0], "date": date}, {"date": "date", "item": "type"}
        )
        return True

    def _ClaimResponse(self, r: Mapping[str, Any]) -> bool:
        if r.get("use") != "preauthorization" or r.get("outcome") == "error":
            return False
        kind = None
        for item in (r.get("addItem") or []) + (r.get("item") or []):
            for s, c in _codings(item.get("productOrService")):
                named = _named([self.codes.lookup(s, c) or ""], "procedure")
                if named:
                    kind = named[0]
                elif s == self.codes.systems["cpt"] and c and (found := _codes.kind_of([c])) is not None:
                    kind = found.value
                if kind:
                    break
        e = _ext(r, "authorization-status")
        status = e.get("valueCode") if e else None
        if status is None:
            words = str(r.get("disposition") or "").lower()
            status = (
                "denied"
                if "den" in words
                else "approved"
                if ("approv" in words or "certif" in words)
                else None
            )
        ident = (
            next(
                (
                    i.get("value")
                    for i in r.get("identifier") or ()
                    if i.get("system") == OURS + "/authorization-id"
                ),
                None,
            )
            or r.get("preAuthRef")
            or _id(r)
        )
        period = r.get("preAuthPeriod") or {}
        self.add(
            r,
            {
                "type": "authorization",
                "id": ident,
                "procedure": kind,
                "date": _day(r.get("created")),
                "status": status,
                "valid_from": _day(period.get("start")),
                "valid_through": _day(period.get("end")),
                "levels": _ext_levels(r),
                "reference": r.get("preAuthRef"),
            },
            {
                "procedure": "addItem.productOrService",
                "date": "created",
                "status": "disposition",
                "valid_from": "preAuthPeriod.start",
                "valid_through": "preAuthPeriod.end",
            },
        )
        return True


def region_of_events(events: list[dict[str, Any]]) -> str | None:
    """The region the levels name; where none is recorded, the one the diagnoses name."""
    for ev in events:
        for lv in ev.get("levels") or ():
            if lv in LEVEL_SET:
                return region_of(lv).value
    prefixes = _region_prefixes()
    for ev in events:
        code = ev.get("code") if ev.get("type") == "diagnosis" else None
        if isinstance(code, str):
            found = by_prefix(prefixes.get, code.upper())
            if found is not None:
                return found
    return None


@cache
def _region_prefixes() -> dict[str, str]:
    """ICD-10-CM code prefix to region, from data/regions.toml."""
    raw = tomllib.loads(resources.files(__package__).joinpath("data/regions.toml").read_text("utf-8"))
    return {prefix: region for region, listed in raw.items() for prefix in listed}


def to_episode(reader: Reader, region: str | None) -> Any:
    from .._episode import load_episode

    tag = next(
        (
            c[7:]
            for s, c in _codings({"coding": (reader.bundle.get("meta") or {}).get("tag") or []})
            if s == OURS and c and c.startswith("region.")
        ),
        None,
    )
    region = region or tag or region_of_events(reader.events)
    if region is None:
        raise FhirError("Bundle", _id(reader.bundle), "entry", "no level or region recorded: pass region=")
    doc = {
        "patient_id": reader.patient_id or "unknown",
        "region": region,
        "events": [{k: v for k, v in ev.items() if v is not None} for ev in reader.events],
    }
    try:
        return load_episode(doc)
    except InvalidEvent as exc:
        if exc.index is None:
            raise FhirError("Bundle", _id(reader.bundle), exc.field or "", exc.reason) from None
        rtype, rid, paths = reader.sources[exc.index]
        root = re.split(r"[\[.]", exc.field or "")[0]
        raise FhirError(rtype, rid, paths.get(root, exc.field or ""), exc.reason, exc.value) from None
    except EpisodeError as exc:  # pragma: no cover - every episode error is an InvalidEvent today
        raise FhirError("Bundle", _id(reader.bundle), "", str(exc)) from None
