"""A policy's pathway as a state diagram: the machine's states and moves, each move labelled
with its guard in the policy's words (``episodes diagram``).

Drawn with transitions' diagrams extension from the machine's own definition
(``_pathway.TRANSITIONS``): mermaid text needs no system package; SVG needs the ``graphviz``
package and its ``dot`` program.  A ``GraphMachine`` is built here for drawing only.
"""

from __future__ import annotations

from typing import Literal

from transitions.extensions.diagrams import GraphMachine

from ._pathway import JUDGED_BY, RELIEF_FAILS, TRANSITIONS, Move, State
from ._policy import Policy
from ._rules.outcomes import BlockRule

#: The step a block or an ablation from a state would be (a block after facet_negative is the
#: second block, or a later one).
_STEP_FROM: dict[tuple[Move, State], str] = {
    (Move.BLOCK, State.CONSERVATIVE_CARE): "mbb1",
    (Move.BLOCK, State.MBB1): "mbb2",
    (Move.BLOCK, State.MBB2): "mbb_subsequent",
    (Move.BLOCK, State.FACET_NEGATIVE): "mbb2",
    (Move.BLOCK, State.RFA): "mbb_subsequent",
    (Move.BLOCK, State.REPEAT_RFA): "mbb_subsequent",
    (Move.ABLATE, State.RFA): "repeat_rfa",
    (Move.ABLATE, State.REPEAT_RFA): "repeat_rfa",
}


class DiagramError(Exception):
    """A diagram that cannot be drawn here (SVG without graphviz)."""


def _rules_words(policy: Policy, step: str, relief_only: bool = False) -> str:
    """A step's rules in the policy's words, each with its section."""
    rules = [
        (r.criterion.describe(), r.criterion.cite)
        for r in policy.rules(step) or ()
        if not relief_only or isinstance(r.criterion, BlockRule)
    ]
    if not rules and not relief_only:
        return f"{step} not covered by the policy"
    # mermaid reads ';' and '#' itself: the labels keep to words, commas and slashes
    words = " / ".join(f"{d} ({c})" for d, c in rules)
    return words.replace(";", ",").replace("#", "no.").replace(":", " -")


def _edges(policy: Policy) -> list[dict[str, object]]:
    """The machine's transitions, one per source state, each labelled with its guard."""
    out: list[dict[str, object]] = []
    for t in TRANSITIONS:
        move = Move(str(t["trigger"]))
        for source in t["source"]:  # type: ignore[attr-defined]
            state = State(source)
            step = _STEP_FROM.get((move, state), "rfa")
            if t.get("conditions") == RELIEF_FAILS:
                judged = JUDGED_BY["mbb1" if state is State.CONSERVATIVE_CARE else "mbb2"]
                guard = f"relief fails {_rules_words(policy, judged, relief_only=True)}"
                if not policy.block_rules(judged):
                    continue  # no relief rule: this policy never closes the pathway here
            else:
                guard = _rules_words(policy, step)
            out.append(
                {
                    "trigger": f"{move.value} ({step})",
                    "source": source,
                    "dest": t["dest"],
                    "conditions": guard,
                }
            )
    return out


class _Drawn:
    """The drawing machine's model."""


def diagram(policy: Policy, fmt: Literal["mermaid", "svg"] = "mermaid") -> str | bytes:
    """The policy's pathway: mermaid text, or SVG bytes (graphviz)."""
    engine: Literal["mermaid", "graphviz"] = "mermaid" if fmt == "mermaid" else "graphviz"
    if engine == "graphviz":
        try:
            import graphviz  # type: ignore[import-not-found]  # noqa: F401
        except ImportError:
            raise DiagramError("SVG needs the graphviz package and its dot program; use mermaid") from None
    model = _Drawn()
    GraphMachine(
        model=model,
        states=[s.value for s in State],
        initial=State.CONSERVATIVE_CARE.value,
        transitions=_edges(policy),
        auto_transitions=False,
        show_conditions=True,
        graph_engine=engine,
        title=f"{policy.id}: {policy.title}",
    )
    graph = model.get_graph()  # type: ignore[attr-defined]
    if engine == "mermaid":
        return str(graph.draw(None))
    try:
        return bytes(graph.pipe(format="svg"))
    except Exception as exc:  # graphviz raises its own errors when dot is missing
        raise DiagramError(f"graphviz could not draw: {type(exc).__name__}") from None
