"""The rule vocabulary: every criterion kind, by the name policy files use."""

from __future__ import annotations

from ._base import Compare, Criterion, CriterionStatus, Ctx, Of, Verdict
from .care import CareCourses
from .diagnosis import DiagnosisRule
from .findings import Conditions, DocumentationRule, ExamRule, ExamTest, ImagingRule
from .outcomes import FunctionalImprovement, PositiveBlocks, Relief, SustainedRelief
from .proposal import ApproachRule, LevelCount, LevelsCovered, LevelsNotTreated, OnePerVisit
from .scope import AnyOf, IfPrior, NotCovered, RegionRule
from .timing import Cap, Interval, PainDuration, RecentProcedure

#: Every criterion kind, by its ``kind`` in a policy file.  The one registry:
#: a policy names a kind, and this maps it onto code.
KINDS: dict[str, type[Criterion]] = {
    cls.kind: cls
    for cls in (
        RegionRule,
        NotCovered,
        AnyOf,
        IfPrior,
        PainDuration,
        Interval,
        RecentProcedure,
        Cap,
        CareCourses,
        Relief,
        PositiveBlocks,
        SustainedRelief,
        FunctionalImprovement,
        ImagingRule,
        ExamRule,
        DocumentationRule,
        Conditions,
        LevelCount,
        LevelsCovered,
        LevelsNotTreated,
        OnePerVisit,
        ApproachRule,
        DiagnosisRule,
    )
}


__all__ = [
    "KINDS",
    "Compare",
    "Criterion",
    "CriterionStatus",
    "Ctx",
    "ExamTest",
    "Of",
    "Verdict",
]
