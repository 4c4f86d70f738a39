"""``episodes``: the queries at a terminal (a readable table) or for a program (``--json``).

Exit status: 0 done; 2 bad input, with the error on stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from ._episode import Episode, load_episode
from ._errors import EpisodeError
from ._policy import Policy
from ._project import project
from ._query import audit, evaluate, next_eligible
from ._report import (
    compare_markdown,
    compare_text,
    decisions_text,
    plan_text,
    policy_data,
    policy_text,
    projection_text,
    to_data,
)
from ._time import parse_date


class _BadInput(Exception):
    pass


def _policy(ref: str) -> Policy:
    import policies

    if ref.endswith(".toml") or "/" in ref:
        return policies.load_file(ref)
    return policies.load(ref)


def _episode(path: str, fhir: bool = False, fhir_codes: str | None = None) -> Episode:
    try:
        raw = Path(path).read_bytes() if path != "-" else sys.stdin.buffer.read()
    except OSError as exc:
        raise _BadInput(f"{path}: cannot read: {exc.strerror}") from None
    if fhir or fhir_codes is not None:
        try:
            from .fhir import load_bundle
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise _BadInput(str(exc)) from None
        return load_bundle(raw, codes=fhir_codes)
    return load_episode(raw)


def _date(text: str) -> Any:
    try:
        return parse_date(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def _days(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = -1
    if n < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}")
    return n


def _percent(text: str) -> float:
    try:
        x = float(text)
    except ValueError:
        x = -1.0
    if not 0 <= x <= 100:  # NaN too
        raise argparse.ArgumentTypeError(f"expected a percent from 0 to 100, got {text!r}")
    return x


def _worklist(args: argparse.Namespace) -> int:
    from .population import worklist

    done = worklist(
        args.input, args.policy, args.out, args.as_of, args.within, args.scheduler, workers=args.workers
    )
    n = done.bad_lines
    bad = f"; {n} bad line{'' if n == 1 else 's'} in {done.error_file}" if n else ""
    print(f"episodes: {done.episodes} episodes, {done.rows} rows to {done.out}{bad}", file=sys.stderr)
    return 0


def _proposal(args: argparse.Namespace) -> dict[str, Any]:
    if args.proposal is not None:
        text = args.proposal
        if not text.lstrip().startswith("{"):
            try:
                text = Path(text).read_text(encoding="utf-8")
            except OSError as exc:
                raise _BadInput(f"{args.proposal}: cannot read: {exc.strerror}") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise _BadInput(f"--proposal: not JSON: {exc.msg}") from None
        if not isinstance(data, dict):
            raise _BadInput("--proposal: expected a JSON object")
        return data
    needed = ("date", "levels") if args.codes is not None else ("procedure", "date", "levels")
    missing = [f"--{n}" for n in needed if getattr(args, n) is None]
    if missing:
        raise _BadInput(f"evaluate needs --proposal, or {', '.join(missing)} (or --codes for --procedure)")
    out: dict[str, Any] = {"date": args.date, "levels": args.levels.split(","), "side": args.side}
    if args.procedure is not None:
        out["procedure"] = args.procedure
    if args.codes is not None:
        out["codes"] = [c.strip() for c in args.codes.split(",")]
    if args.intent is not None:
        out["intent"] = args.intent
    if args.approach:
        out["approach"] = args.approach
    return out


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="episodes", description=__doc__.splitlines()[0] if __doc__ else None)
    sub = p.add_subparsers(dest="command", required=True)

    def source(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("episode", help="episode JSON file (episode/1), or - for stdin")
        sp.add_argument("--fhir", action="store_true", help="the input is a FHIR R4 Bundle (docs/fhir.md)")
        sp.add_argument("--fhir-codes", metavar="FILE", help="an EHR's local codes (TOML) for --fhir")

    def policy(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--policy", required=True, help="a bundled policy id, or a path to a .toml file")

    def as_of(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--as-of", type=_date, default=None, help="YYYY-MM-DD (default: today)")

    def relief(sp: argparse.ArgumentParser) -> None:
        sp.add_argument(
            "--relief", type=_percent, default=90, help="assumed relief of each step, percent (default 90)"
        )

    def common(sp: argparse.ArgumentParser) -> None:
        source(sp)
        policy(sp)
        sp.add_argument("--json", action="store_true", help="JSON for a program")
        sp.add_argument("--all", action="store_true", help="show met criteria too")

    ne = sub.add_parser("next-eligible", help="when each next procedure becomes policy-compliant")
    common(ne)
    as_of(ne)

    ev = sub.add_parser("evaluate", help="check a proposed procedure")
    common(ev)
    ev.add_argument("--proposal", help="the procedure as JSON text or a JSON file")
    ev.add_argument("--procedure", help="mbb, rfa, esi, ia_facet, pulsed_rfa, facet_cyst_aspiration")
    ev.add_argument("--date", help="YYYY-MM-DD")
    ev.add_argument("--levels", help="comma-separated, e.g. L4-L5,L5-S1")
    ev.add_argument("--side", default="bilateral", help="left, right or bilateral (default bilateral)")
    ev.add_argument("--approach", help="ESI approach: interlaminar, transforaminal or caudal")
    ev.add_argument("--codes", help="CPT/HCPCS codes in place of --procedure, e.g. 64493,64494")
    ev.add_argument(
        "--intent",
        help="with --codes, a facet injection's: diagnostic (mbb, default) or therapeutic (ia_facet)",
    )

    au = sub.add_parser("audit", help="check every recorded procedure")
    common(au)

    pj = sub.add_parser("project", help="the fastest compliant pathway ahead, with its dates")
    source(pj)
    policy(pj)
    as_of(pj)
    relief(pj)
    pj.add_argument("--json", action="store_true", help="JSON for a program")

    tl = sub.add_parser("timeline", help="the episode, its next steps and the projected pathway, drawn")
    source(tl)
    policy(tl)
    as_of(tl)
    tl.add_argument("-o", "--output", required=True, help="FILE.svg or FILE.png")

    cp = sub.add_parser("compare", help="the episode projected under every bundled policy, side by side")
    source(cp)
    as_of(cp)
    relief(cp)
    cp.add_argument("--json", action="store_true", help="JSON for a program")

    dg = sub.add_parser("diagram", help="a policy's pathway as a state diagram (mermaid text, or SVG)")
    dg.add_argument("--policy", required=True, help="a bundled policy id, or a path to a .toml file")
    dg.add_argument("-o", "--output", help="write to this file (default: standard output)")
    dg.add_argument("--format", choices=["mermaid", "svg"], default=None, help="default: from -o's suffix")

    wl = sub.add_parser("worklist", help="plan a population (JSON lines) into a worklist (CSV or Parquet)")
    wl.add_argument("input", help="JSON lines, one episode a line; a folder of .jsonl files; or Parquet")
    wl.add_argument("--policy", required=True, help="a bundled policy id, or a path to a .toml file")
    wl.add_argument("--as-of", type=_date, default=None, metavar="DATE", help="YYYY-MM-DD (default: today)")
    wl.add_argument(
        "--within", type=_days, default=None, metavar="DAYS", help="only what opens within DAYS days"
    )
    wl.add_argument("-o", "--out", required=True, help="OUT.csv or OUT.parquet (bad lines: OUT.errors.csv)")
    wl.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="a running Dask cluster's address (default: this machine's cores)",
    )
    wl.add_argument(
        "--workers", type=_days, default=None, metavar="N", help="local processes (default: all cores)"
    )

    po = sub.add_parser("policies", help="list the bundled policies, or show one")
    po.add_argument("id", nargs="?", help="a policy id or .toml path to show")
    po.add_argument("--json", action="store_true")
    po.add_argument(
        "--compare",
        action="store_true",
        help="every bundled policy side by side (Markdown; docs/policies.md)",
    )
    return p


def main(argv: Sequence[str] | None = None) -> int:
    import policies

    args = _parser().parse_args(argv)
    try:
        if args.command == "policies":
            return _policies(args)
        if args.command == "diagram":
            return _diagram(args)
        if args.command == "worklist":
            return _worklist(args)
        if args.command == "compare":
            return _compare(args)
        if args.command == "timeline":
            return _timeline(args)
        policy = _policy(args.policy)
        episode = _episode(args.episode, args.fhir, args.fhir_codes)
        if args.command == "project":
            projection = project(episode, policy, args.as_of, relief=args.relief)
            out = to_data(projection) if args.json else projection_text(projection)
        elif args.command == "next-eligible":
            plan = next_eligible(episode, policy, args.as_of)
            out = to_data(plan) if args.json else plan_text(plan, episode, args.all)
        elif args.command == "evaluate":
            decision = evaluate(episode, policy, _proposal(args))
            out = to_data(decision) if args.json else decisions_text([decision], policy, everything=True)
        else:
            found = audit(episode, policy)
            out = to_data(found) if args.json else decisions_text(found, policy, args.all)
    except (EpisodeError, policies.PolicyError, _BadInput) as exc:
        print(f"episodes: {exc}", file=sys.stderr)
        return 2
    except RecursionError:
        print("episodes: the input is nested too deep", file=sys.stderr)
        return 2
    except Exception as exc:  # a fault of ours: one line, no traceback, no data
        print(f"episodes: internal error ({type(exc).__name__}); please report it", file=sys.stderr)
        return 2
    try:
        print(json.dumps(out, indent=2) if args.json else out)
    except BrokenPipeError:  # `episodes ... | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def _timeline(args: argparse.Namespace) -> int:
    from ._timeline import timeline

    fmt = Path(args.output).suffix.lower().lstrip(".")
    if fmt not in ("svg", "png"):
        raise _BadInput(f"-o: expected a .svg or .png file, got {Path(args.output).name!r}")
    drawn = timeline(
        _episode(args.episode, args.fhir, args.fhir_codes), _policy(args.policy), args.as_of, fmt
    )
    try:
        Path(args.output).write_bytes(drawn)
    except OSError as exc:
        raise _BadInput(f"{args.output}: cannot write: {exc.strerror}") from None
    return 0


def _compare(args: argparse.Namespace) -> int:
    import policies

    episode = _episode(args.episode, args.fhir, args.fhir_codes)
    found = [
        project(episode, policies.load(i), args.as_of, relief=args.relief)
        for i in policies.available()
        if episode.region in policies.load(i).regions
    ]
    print(json.dumps([to_data(p) for p in found], indent=2) if args.json else compare_text(found))
    return 0


def _diagram(args: argparse.Namespace) -> int:
    from ._diagram import DiagramError, diagram

    fmt: Literal["mermaid", "svg"] = args.format or (
        "svg" if (args.output or "").endswith(".svg") else "mermaid"
    )
    try:
        drawn = diagram(_policy(args.policy), fmt)
    except DiagramError as exc:
        raise _BadInput(f"diagram: {exc}") from None
    if args.output is None:
        print(drawn if isinstance(drawn, str) else drawn.decode())
        return 0
    try:
        Path(args.output).write_bytes(drawn.encode() if isinstance(drawn, str) else drawn)
    except OSError as exc:
        raise _BadInput(f"{args.output}: cannot write: {exc.strerror}") from None
    return 0


def _policies(args: argparse.Namespace) -> int:
    import policies

    if args.compare:
        print(compare_markdown([policies.load(i) for i in policies.available()]), end="")
        return 0
    if args.id is None:
        ids = policies.available()
        if args.json:
            print(json.dumps([{"id": i, "title": policies.load(i).title} for i in ids], indent=2))
        else:
            for i in ids:
                p = policies.load(i)
                print(f"{i:<22} {p.title} ({p.payer}; {', '.join(r.value for r in p.regions)})")
        return 0
    policy = _policy(args.id)
    print(json.dumps(policy_data(policy), indent=2) if args.json else policy_text(policy))
    return 0
