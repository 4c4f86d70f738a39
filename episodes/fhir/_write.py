"""Episode -> FHIR R4 Bundle (the wire dicts of ``episode_to_dict`` to resources)."""

from __future__ import annotations

import uuid
from typing import Any

from .._episode import Episode, episode_to_dict
from .._events import EXAM_FIELDS
from ._tables import EXT, LATERALITY, OURS, SIDE_CODES, UNSUCCESSFUL, builtin

_EXAM_FIELDS = tuple(f for f in EXAM_FIELDS if f != "nrs")  # the NRS has its own LOINC code
_ABSENT = {
    "coding": [{"system": "http://terminology.hl7.org/CodeSystem/data-absent-reason", "code": "unknown"}]
}


_ADJ = [
    {
        "category": {
            "coding": [{"system": "http://terminology.hl7.org/CodeSystem/adjudication", "code": "submitted"}]
        }
    }
]


def _ours(code: str) -> dict[str, str]:
    return {"system": OURS, "code": code}


def _ext(name: str, key: str, value: Any) -> dict[str, Any]:
    return {"url": EXT + name, key: value}


def _opt_bool_exts(ev: dict[str, Any], names: tuple[str, ...]) -> list[dict[str, Any]]:
    return [_ext(n, "valueBoolean", ev[n]) for n in names if ev.get(n) is not None]


def _levels_ext(levels: list[str] | None) -> list[dict[str, Any]]:
    return [] if levels is None else [_ext("levels", "valueString", " ".join(levels))]


def dump_bundle_dict(episode: Episode) -> dict[str, Any]:
    wire = episode_to_dict(episode)
    codes = builtin()
    patient_url = _url(0)
    entries: list[dict[str, Any]] = [
        {
            "fullUrl": patient_url,
            "resource": {
                "resourceType": "Patient",
                "id": "r0",
                "identifier": [{"value": wire["patient_id"]}],
            },
        }
    ]
    subject = {"reference": patient_url}
    urls: dict[str, str] = {}
    for n, ev in enumerate(wire["events"], start=1):
        r = _resource(ev, subject, urls, codes)
        r["id"] = f"r{n}"
        if ev["type"] == "procedure":
            urls[ev["id"]] = _url(n)
        entries.append({"fullUrl": _url(n), "resource": r})
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "meta": {"tag": [_ours("region." + wire["region"])]},
        "entry": entries,
    }


def _url(n: int) -> str:
    return f"urn:uuid:{uuid.UUID(int=n + 1)}"


def _resource(
    ev: dict[str, Any], subject: dict[str, str], urls: dict[str, str], codes: Any
) -> dict[str, Any]:
    t = ev["type"]
    if t == "symptom_onset":
        r: dict[str, Any] = {
            "resourceType": "Condition",
            "code": {"coding": [_ours("symptom_onset")]},
            "subject": subject,
            "onsetDateTime": ev["date"],
        }
        r["extension"] = _opt_bool_exts(ev, ("radiating",))
    elif t == "condition":
        r = {
            "resourceType": "Condition",
            "code": {"coding": [_ours("condition." + ev["condition"])]},
            "subject": subject,
            "onsetDateTime": ev["start"],
        }
        if ev.get("end") is not None:
            r["abatementDateTime"] = ev["end"]
        r["extension"] = _levels_ext(ev.get("levels"))
    elif t == "diagnosis":
        r = {
            "resourceType": "Condition",
            "code": {"coding": [{"system": codes.systems["icd10cm"], "code": ev["code"]}]},
            "category": [{"coding": [_ours("diagnosis")]}],
            "subject": subject,
            "recordedDate": ev["date"],
        }
        if ev.get("end") is not None:
            r["abatementDateTime"] = ev["end"]
    elif t == "care":
        coding = [_ours("care." + ev["care"])]
        snomed = codes.code_for("care." + ev["care"], "snomed")
        if snomed:
            coding.insert(0, {"system": codes.systems["snomed"], "code": snomed})
        period = {"start": ev["start"]} | ({"end": ev["end"]} if ev.get("end") else {})
        r = {
            "resourceType": "Procedure",
            "status": "completed" if ev.get("end") else "in-progress",
            "code": {"coding": coding},
            "subject": subject,
            "performedPeriod": period,
        }
        if ev.get("response") is not None:
            oc: dict[str, Any] = {"text": ev["response"]}
            if ev["response"] == "failed":
                oc["coding"] = [{"system": codes.systems["snomed"], "code": UNSUCCESSFUL}]
            r["outcome"] = oc
        exts = _opt_bool_exts(ev, ("not_tolerated", "contraindicated"))
        exts += [_ext("component", "valueCode", c) for c in ev.get("components") or ()]
        r["extension"] = exts
    elif t == "imaging":
        dicom = codes.code_for("modality." + ev["modality"], "dicom")
        coding = [{"system": codes.systems["dicom"], "code": dicom}, _ours("modality." + ev["modality"])]
        r = {
            "resourceType": "DiagnosticReport",
            "status": "final",
            "code": {"coding": coding},
            "subject": subject,
            "effectiveDateTime": ev["date"],
            "conclusionCode": [{"coding": [_ours("finding." + f)]} for f in ev.get("findings") or ()],
            "extension": _levels_ext(ev.get("levels")),
        }
    elif t == "exam":
        comps: list[dict[str, Any]] = []
        if ev.get("nrs") is not None:
            comps.append(
                {
                    "code": {
                        "coding": [{"system": codes.systems["loinc"], "code": codes.code_for("nrs", "loinc")}]
                    },
                    "valueInteger": ev["nrs"],
                }
            )
        for f in _EXAM_FIELDS:
            if ev.get(f) is not None:
                comps.append({"code": {"coding": [_ours("exam." + f)]}, "valueBoolean": ev[f]})
        r = {
            "resourceType": "Observation",
            "status": "final",
            "code": {"coding": [_ours("exam")]},
            "subject": subject,
            "effectiveDateTime": ev["date"],
            "component": comps,
        }
    elif t == "procedure":
        coding = [{"system": codes.systems["cpt"], "code": c} for c in ev.get("codes") or ()]
        coding.append(_ours("procedure." + ev["procedure"]))
        lat = {
            "url": LATERALITY,
            "valueCodeableConcept": {
                "coding": [{"system": codes.systems["snomed"], "code": SIDE_CODES[ev["side"]]}]
            },
        }
        r = {
            "resourceType": "Procedure",
            "identifier": [{"system": OURS + "/procedure-id", "value": ev["id"]}],
            "status": "completed",
            "code": {"coding": coding},
            "subject": subject,
            "performedDateTime": ev["date"],
            "bodySite": [{"text": lv, "extension": [lat]} for lv in ev["levels"]],
        }
        if ev.get("approach") is not None:
            r["extension"] = [_ext("approach", "valueCode", ev["approach"])]
    elif t == "outcome":
        comp: dict[str, Any] = {"code": {"coding": [_ours("functional_improvement")]}}
        if ev.get("functional_improvement") is None:
            comp["dataAbsentReason"] = _ABSENT
        else:
            comp["valueBoolean"] = ev["functional_improvement"]
        r = {
            "resourceType": "Observation",
            "status": "final",
            "code": {"coding": [_ours("relief_percent")]},
            "subject": subject,
            "partOf": [{"reference": urls[ev["procedure_id"]]}],
            "effectiveDateTime": ev["date"],
            "valueQuantity": {
                "value": ev["relief_percent"],
                "unit": "%",
                "system": "http://unitsofmeasure.org",
                "code": "%",
            },
            "component": [comp],
        }
    elif t == "documentation":
        r = {
            "resourceType": "DocumentReference",
            "status": "current",
            "type": {"coding": [_ours("documentation." + ev["item"])]},
            "subject": subject,
            "date": ev["date"] + "T00:00:00Z",
            "content": [{"attachment": {"title": ev["item"]}}],
        }
    elif t == "authorization":
        r = {
            "resourceType": "ClaimResponse",
            "identifier": [{"system": OURS + "/authorization-id", "value": ev["id"]}],
            "status": "active",
            "type": {
                "coding": [
                    {"system": "http://terminology.hl7.org/CodeSystem/claim-type", "code": "professional"}
                ]
            },
            "use": "preauthorization",
            "patient": subject,
            "created": ev["date"],
            "insurer": {"display": "payer"},
            "outcome": "complete",
            "disposition": ev["status"],
            "addItem": [
                {
                    "productOrService": {"coding": [_ours("procedure." + ev["procedure"])]},
                    "adjudication": _ADJ,
                }
            ],
            "extension": [
                _ext("authorization-status", "valueCode", ev["status"]),
                *_levels_ext(ev.get("levels")),
            ],
        }
        if ev.get("reference") is not None:
            r["preAuthRef"] = ev["reference"]
        period = {k: ev[w] for k, w in (("start", "valid_from"), ("end", "valid_through")) if ev.get(w)}
        if period:
            r["preAuthPeriod"] = period
    else:  # pragma: no cover - EVENT_TYPES and this writer move together
        raise AssertionError(t)
    if not r.get("extension"):
        r.pop("extension", None)
    return r
