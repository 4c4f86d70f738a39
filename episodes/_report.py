"""Plans, decisions and policies as a person reads them (text) or a program (JSON dicts)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from cattrs.gen import make_dict_unstructure_fn, override

from ._authorization import AuthorizationResult
from ._codes import CodeLine
from ._episode import Episode
from ._errors import cut
from ._events import ProcedureKind
from ._pathway import STEPS, step_for
from ._policy import Policy
from ._project import Projection
from ._query import CriterionResult, Decision, Eligibility, Plan, Status
from ._rules import CriterionStatus
from ._wire import converter


def to_data(obj: Plan | Decision | Sequence[Decision] | Projection) -> Any:
    """Plain JSON-ready data: dates as ``YYYY-MM-DD``, statuses as strings."""
    return converter.unstructure(obj)


def _criteria_data(criteria: tuple[CriterionResult, ...]) -> list[dict[str, Any]]:
    one = converter.get_unstructure_hook(CriterionResult)
    return [one(c) for c in criteria]


# An entry's criteria are made on first read; the wire names them ``criteria``, in their place.
for _cls in (Eligibility, Decision):
    converter.register_unstructure_hook(
        _cls,
        make_dict_unstructure_fn(
            _cls,
            converter,
            _lazy=override(rename="criteria", unstruct_hook=lambda j: _criteria_data(j.results())),
        ),
    )


def _table(rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]


def _reasons(criteria: Iterable[CriterionResult], everything: bool) -> list[str]:
    out = []
    for c in criteria:
        if c.status is CriterionStatus.MET and not everything:
            continue
        when = f" (resolves {c.resolves_on})" if c.resolves_on else ""
        out.append(f"    {c.status.value:<7} {c.rule}: {c.message}{when} [{c.citation}]")
        if c.text and c.status is not CriterionStatus.MET:
            out.append(f'            policy: "{c.text}"')
    return out


def plan_text(plan: Plan, episode: Episode, everything: bool = False) -> str:
    head = (
        f"{episode.region.value} episode, {len(episode.events)} events; policy {plan.policy}; "
        f"as of {plan.as_of}; pathway state: {plan.state.value}"
    )
    rows = [("procedure", "step", "status", "earliest", "until", "levels", "codes")]
    rows += [
        (k, e.step, e.status.value, str(e.earliest or "-"), _until(e), _levels(e), _codes(e.codes))
        for k, e in plan.entries.items()
    ]
    lines = [head, "", *_table(rows)]
    for k, e in plan.entries.items():
        reasons = _reasons(e.criteria, everything) + _authorization(e.authorization)
        if reasons:
            lines += ["", f"{k} ({e.step}): {e.status.value}", *reasons]
    return "\n".join(lines)


def _codes(codes: Sequence[CodeLine]) -> str:
    """``64493-50 64494-50``: the lines to request, units shown where more than one."""
    return " ".join(map(str, codes)) or "-"


def _authorization(auth: AuthorizationResult | None) -> list[str]:
    if auth is None:
        return []
    return [f"    {'':<7} authorization: {auth.status.value}: {auth.message} [{auth.citation}]"]


def projection_text(p: Projection) -> str:
    """A projection as a person reads it: each step, its date, window, levels and the rule
    that fixes the date; then why it ends."""
    rows = [("date", "procedure", "step", "until", "levels", "set by")]
    rows += [
        (str(s.date), s.procedure.value, s.step, str(s.until or "-"), ",".join(s.levels), s.set_by or "-")
        for s in p.steps
    ]
    lines = [f"policy {p.policy}; as of {p.as_of}; projected pathway", ""]
    lines += _table(rows) if p.steps else ["no step can be projected"]
    if p.steps:
        lines += ["", f"assumed: {p.assumed} documented on each step's day"]
    lines += ["", f"ends: {p.stop}"]
    return "\n".join(lines)


#: The facet steps a comparison sets side by side: the two blocks, the ablation and its repeat.
_COMPARED = tuple(step_for(kind, n) for kind in (ProcedureKind.MBB, ProcedureKind.RFA) for n in (0, 1))


def compare_text(found: Sequence[Projection]) -> str:
    """Each policy's projection side by side: which payer gets the patient to an ablation first."""
    rows: list[tuple[str, ...]] = [
        ("policy", "first block", "second block", "ablation", "repeat ablation", "ends")
    ]
    for p in found:
        when = {s.step: str(s.date) for s in p.steps}
        rows.append((p.policy, *(when.get(step, "-") for step in _COMPARED), cut(p.stop, 70)))
    ablated = min(((s.date, p.policy) for p in found for s in p.steps if s.step == "rfa"), default=None)
    head = (
        f"first to an ablation: {ablated[1]} on {ablated[0]}" if ablated else "no policy reaches an ablation"
    )
    return "\n".join([head, "", *_table(rows)])


def _until(entry: Eligibility) -> str:
    """The window's last day, and the rule that closes it ("2026-02-28 (xray)")."""
    if entry.until is None:
        return "-"
    closing = next((c.rule for c in entry.criteria if c.until == entry.until), None)
    return f"{entry.until} ({closing})" if closing else str(entry.until)


def _levels(entry: Eligibility) -> str:
    if entry.status is Status.BLOCKED:
        return "-"
    return ",".join(entry.levels) or "any"


def decisions_text(decisions: Sequence[Decision], policy: Policy, everything: bool = False) -> str:
    if not decisions:
        return f"no procedures recorded; nothing to audit under {policy.id}"
    rows = [("date", "procedure", "step", "id", "decision", "codes")]
    rows += [
        (str(d.date), d.procedure.value, d.step, d.procedure_id or "-", d.status.value, _codes(d.codes))
        for d in decisions
    ]
    lines = [f"policy {policy.id}", "", *_table(rows)]
    for d in decisions:
        reasons = _reasons(d.criteria, everything) + _authorization(d.authorization)
        reasons += [f"    {'codes':<7} {finding}" for finding in d.code_findings]
        if reasons:
            lines += ["", f"{d.date} {d.procedure.value} ({d.step}): {d.status.value}", *reasons]
    return "\n".join(lines)


def policy_text(policy: Policy) -> str:
    lines = [
        f"{policy.id}: {policy.title}",
        f"  payer: {policy.payer}; version: {policy.version}; effective {policy.effective}",
        f"  regions: {', '.join(r.value for r in policy.regions)}",
        f"  source: {policy.source}",
    ]
    for step in policy.steps:
        lines += ["", f"{step}:"]
        for rule in policy.rules(step) or ():
            lines.append(f"  {rule.id}: {rule.criterion.describe()} [{policy.cite(rule.criterion.cite)}]")
    if policy.not_encoded:
        lines += ["", "not encoded:"]
        lines += [f"  - {n}" for n in policy.not_encoded]
    return "\n".join(lines)


def policy_data(policy: Policy) -> dict[str, Any]:
    return {
        "id": policy.id,
        "title": policy.title,
        "payer": policy.payer,
        "version": policy.version,
        "effective": policy.effective.isoformat(),
        "source": policy.source,
        "regions": [r.value for r in policy.regions],
        "steps": {
            step: [
                {
                    "rule": r.id,
                    "kind": r.criterion.kind,
                    "describe": r.criterion.describe(),
                    "citation": policy.cite(r.criterion.cite),
                    "text": r.criterion.text,
                }
                for r in policy.rules(step) or ()
            ]
            for step in policy.steps
        },
        "not_encoded": list(policy.not_encoded),
    }


def compare_markdown(chosen: Sequence[Policy]) -> str:
    """A reviewer's page: for each step, each rule that differs between the policies, side by side.

    Rows where every policy says the same are left out; a step a policy does not
    address reads "not addressed".
    """
    ids = [p.id for p in chosen]
    head = ["| | " + " | ".join(f"`{i}`" for i in ids) + " |", "|---|" + "---|" * len(ids)]
    lines = [
        "# The bundled policies compared",
        "",
        "Generated from the policy files by `episodes policies --compare`; do not edit by hand.",
        "Each row is a rule on which the policies differ; rules alike in all of them are left out.",
        "",
        *head,
        "| payer | " + " | ".join(p.payer for p in chosen) + " |",
        "| version | " + " | ".join(f"{p.version} (effective {p.effective})" for p in chosen) + " |",
        "| regions | " + " | ".join(", ".join(r.value for r in p.regions) for p in chosen) + " |",
        "| not covered | " + " | ".join(_not_covered(p) for p in chosen) + " |",
    ]
    steps = list(dict.fromkeys(s for p in chosen for s in p.steps))
    for step in STEPS:
        if step not in steps:
            continue
        rows = []
        kinds = list(dict.fromkeys(r.criterion.kind for p in chosen for r in p.rules(step) or ()))
        for kind in kinds:
            cells = [_cell(p, step, kind) for p in chosen]
            if len(set(cells)) > 1:
                rows.append(f"| {kind} | " + " | ".join(cells) + " |")
        if rows:
            lines += ["", f"## {step}", "", *head, *rows]
    lines += ["", "## Not encoded", ""]
    for p in chosen:
        lines.append(f"- `{p.id}`:" + ("" if p.not_encoded else " nothing listed"))
        lines += [f"  - {n}" for n in p.not_encoded]
    return "\n".join(lines) + "\n"


def _cell(policy: Policy, step: str, kind: str) -> str:
    rules = policy.rules(step)
    if rules is None:
        return "not addressed"
    found = [r for r in rules if r.criterion.kind == kind]
    if not found:
        return "—"
    return "; ".join(f"{r.criterion.describe()} ({r.criterion.cite})" for r in found).replace("|", "/")


def _not_covered(policy: Policy) -> str:
    names = [s for s in policy.steps if any(r.criterion.kind == "not_covered" for r in policy.rules(s) or ())]
    return ", ".join(names) or "—"
