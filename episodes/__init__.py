"""Facet joint and epidural procedure episodes, checked against payer policies.

>>> from episodes import load_episode, next_eligible
>>> import policies
>>> plan = next_eligible(load_episode(text), policies.load("centene-facet"))  # doctest: +SKIP
"""

from ._authorization import AuthorizationResult, AuthorizationState, AuthorizationTerms
from ._batch import Planned, next_eligible_many
from ._codes import CodeLine, Intent
from ._episode import Episode, dump_episode, load_episode
from ._errors import DuplicateEventId, EpisodeError, InvalidEvent
from ._events import (
    LEVELS,
    Approach,
    Authorization,
    AuthorizationStatus,
    Care,
    CareKind,
    Component,
    Condition,
    ConditionKind,
    Diagnosis,
    Documentation,
    Event,
    Exam,
    Imaging,
    ImagingFinding,
    Modality,
    Outcome,
    Procedure,
    ProcedureKind,
    Region,
    Response,
    Side,
    SymptomOnset,
    region_of,
)
from ._pathway import State
from ._query import (
    CriterionResult,
    Decision,
    DecisionStatus,
    Eligibility,
    Plan,
    Status,
    audit,
    evaluate,
    next_eligible,
)
from ._rules import CriterionStatus

__all__ = [
    "LEVELS",
    "Approach",
    "Authorization",
    "AuthorizationResult",
    "AuthorizationState",
    "AuthorizationStatus",
    "AuthorizationTerms",
    "Care",
    "CareKind",
    "CodeLine",
    "Component",
    "Condition",
    "ConditionKind",
    "CriterionResult",
    "CriterionStatus",
    "Decision",
    "DecisionStatus",
    "Diagnosis",
    "Documentation",
    "DuplicateEventId",
    "Eligibility",
    "Episode",
    "EpisodeError",
    "Event",
    "Exam",
    "Imaging",
    "ImagingFinding",
    "Intent",
    "InvalidEvent",
    "Modality",
    "Outcome",
    "Plan",
    "Planned",
    "Procedure",
    "ProcedureKind",
    "Region",
    "Response",
    "Side",
    "State",
    "Status",
    "SymptomOnset",
    "audit",
    "dump_episode",
    "evaluate",
    "load_episode",
    "next_eligible",
    "next_eligible_many",
    "region_of",
]
