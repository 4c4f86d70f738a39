"""FHIR bundle to plan, by hand (not run by CI).

    python tests/benchmarks/bench_fhir.py            # 50-resource bundle, centene-facet
    python tests/benchmarks/bench_fhir.py --n 500 --policy cms-l39240

The bundle is tests/data/fhir/lumbar-blocks-ablation.json (an EHR's record of two blocks and an
ablation) padded to 50 resources as an EHR exports them: encounters (skipped), NRS observations,
documents and medication statements. Prints µs per call (median, 95th percentile) for
``read_bundle`` from JSON text (fhir.resources validation included), ``next_eligible`` on the
loaded episode, and the two together; and ``dump_bundle`` for comparison.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

import policies
from episodes import next_eligible
from episodes.fhir import dump_bundle, read_bundle

HERE = Path(__file__).resolve().parent.parent / "data" / "fhir" / "lumbar-blocks-ablation.json"
PATIENT = {"reference": "Patient/pat1"}


def bundle(size: int = 50) -> dict[str, Any]:
    data = json.loads(HERE.read_text("utf-8"))
    entries = data["entry"]
    n = 0
    while len(entries) < size:
        n += 1
        day = f"2025-{1 + n % 12:02d}-{1 + n % 27:02d}"
        kind = n % 4
        if kind == 0:
            r: dict[str, Any] = {
                "resourceType": "Encounter",
                "id": f"e{n}",
                "status": "finished",
                "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
                "subject": PATIENT,
            }
        elif kind == 1:
            r = {
                "resourceType": "Observation",
                "id": f"o{n}",
                "status": "final",
                "subject": PATIENT,
                "code": {"coding": [{"system": "http://loinc.org", "code": "72514-3"}]},
                "effectiveDateTime": day,
                "valueInteger": n % 11,
            }
        elif kind == 2:
            r = {
                "resourceType": "DocumentReference",
                "id": f"d{n}",
                "status": "current",
                "subject": PATIENT,
                "type": {
                    "coding": [
                        {
                            "system": "https://facet-episodes.example/fhir/CodeSystem/episode",
                            "code": "documentation.informed_consent",
                        }
                    ]
                },
                "date": day + "T09:00:00Z",
                "content": [{"attachment": {"title": "consent"}}],
            }
        else:
            r = {
                "resourceType": "MedicationStatement",
                "id": f"m{n}",
                "status": "completed",
                "subject": PATIENT,
                "medicationCodeableConcept": {
                    "coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "41493"}]
                },
                "effectivePeriod": {"start": day, "end": day},
            }
        entries.append({"resource": r})
    return data


def timed(fn: Any, n: int) -> tuple[float, float]:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1e6)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--size", type=int, default=50)
    ap.add_argument("--policy", default="centene-facet")
    args = ap.parse_args()
    policy = policies.load(args.policy)
    text = json.dumps(bundle(args.size))
    loaded = read_bundle(text)
    episode = loaded.episode
    as_of = "2026-09-14"
    print(
        f"bundle: {args.size} resources, {len(text)} bytes -> {len(episode.events)} events, "
        f"skipped {loaded.skipped}; policy {args.policy}; n={args.n}"
    )
    for name, fn in (
        ("read_bundle", lambda: read_bundle(text)),
        ("load + plan", lambda: next_eligible(read_bundle(text).episode, policy, as_of)),
        ("dump_bundle", lambda: dump_bundle(episode)),
    ):
        timed(fn, 5)
        med, p95 = timed(fn, args.n)
        print(f"{name:>16}: median {med:9.0f} µs   p95 {p95:9.0f} µs")
    plan_only = timed(lambda: next_eligible(episode, policy, as_of), args.n)
    print(f"{'plan alone':>16}: median {plan_only[0]:9.0f} µs   p95 {plan_only[1]:9.0f} µs  (loaded once)")


if __name__ == "__main__":
    main()
