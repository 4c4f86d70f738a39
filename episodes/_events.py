"""The dated facts of an episode, as frozen, slotted attrs classes.

Field names and values are the wire format's (docs/guide.md, shared contract):
an event object and its JSON object say the same thing.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from datetime import date
from typing import ClassVar, TypeVar

import attrs
from attrs import field, frozen
from pendulum import Date

from ._icd10 import is_known
from ._time import parse_date

E = TypeVar("E", bound=enum.Enum)


class Region(enum.StrEnum):
    CERVICAL = "cervical"
    THORACIC = "thoracic"
    LUMBAR = "lumbar"


class CareKind(enum.StrEnum):
    PHYSICAL_THERAPY = "physical_therapy"
    CHIROPRACTIC = "chiropractic"
    HOME_EXERCISE = "home_exercise"
    ACTIVITY_MODIFICATION = "activity_modification"
    NSAID = "nsaid"
    ACETAMINOPHEN = "acetaminophen"
    ORAL_STEROID = "oral_steroid"
    MUSCLE_RELAXANT = "muscle_relaxant"
    NEUROPATHIC_AGENT = "neuropathic_agent"
    OPIOID = "opioid"


class Response(enum.StrEnum):
    FAILED = "failed"
    PARTIAL = "partial"
    IMPROVED = "improved"


class Component(enum.StrEnum):
    SUPERVISED_EXERCISE = "supervised_exercise"
    MANUAL_THERAPY = "manual_therapy"
    MODALITIES = "modalities"
    PAIN_EDUCATION = "pain_education"


class Modality(enum.StrEnum):
    XRAY = "xray"
    MRI = "mri"
    CT = "ct"
    SPECT_CT = "spect_ct"


class ImagingFinding(enum.StrEnum):
    FACET_ARTHROPATHY = "facet_arthropathy"
    SPONDYLOSIS = "spondylosis"
    DISC_HERNIATION = "disc_herniation"
    NERVE_IMPINGEMENT = "nerve_impingement"
    STENOSIS = "stenosis"
    FRACTURE = "fracture"
    TUMOR = "tumor"
    INFECTION = "infection"
    NORMAL = "normal"
    SYNOVIAL_CYST = "synovial_cyst"


class ConditionKind(enum.StrEnum):
    SYSTEMIC_INFECTION = "systemic_infection"
    LOCAL_INFECTION = "local_infection"
    COAGULOPATHY = "coagulopathy"
    ANTICOAGULATION = "anticoagulation"
    PREGNANCY = "pregnancy"
    STEROID_ALLERGY = "steroid_allergy"
    ANESTHETIC_ALLERGY = "anesthetic_allergy"
    UNCONTROLLED_DIABETES = "uncontrolled_diabetes"
    PRIOR_FUSION = "prior_fusion"
    SEVERE_COMORBIDITY = "severe_comorbidity"


class ProcedureKind(enum.StrEnum):
    MBB = "mbb"
    RFA = "rfa"
    ESI = "esi"
    IA_FACET = "ia_facet"
    PULSED_RFA = "pulsed_rfa"
    FACET_CYST_ASPIRATION = "facet_cyst_aspiration"


class Side(enum.StrEnum):
    LEFT = "left"
    RIGHT = "right"
    BILATERAL = "bilateral"


class AuthorizationStatus(enum.StrEnum):
    """A payer's decision on a prior-authorization request."""

    APPROVED = "approved"
    DENIED = "denied"


class Approach(enum.StrEnum):
    INTERLAMINAR = "interlaminar"
    TRANSFORAMINAL = "transforaminal"
    CAUDAL = "caudal"


def _levels() -> tuple[str, ...]:
    cervical = [f"C{i}-C{i + 1}" for i in range(2, 7)] + ["C7-T1"]
    thoracic = [f"T{i}-T{i + 1}" for i in range(1, 12)] + ["T12-L1"]
    lumbar = [f"L{i}-L{i + 1}" for i in range(1, 5)] + ["L5-S1"]
    return (*cervical, *thoracic, *lumbar)


#: Every spinal level, head to tail.  A level belongs to the region of its
#: upper vertebra: ``C7-T1`` is cervical, ``T12-L1`` thoracic.
LEVELS: tuple[str, ...] = _levels()
_REGION_OF_LETTER = {"C": Region.CERVICAL, "T": Region.THORACIC, "L": Region.LUMBAR}


def region_of(level: str) -> Region:
    """The region a level belongs to (by its upper vertebra)."""
    return _REGION_OF_LETTER[level[0]]


class FieldError(ValueError):
    """A validator's complaint about one field (``path``: ``levels[1]``)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def _level(_: object, a: attrs.Attribute[tuple[str, ...]], value: tuple[str, ...]) -> None:
    for i, level in enumerate(value):
        if level not in LEVEL_SET:
            raise FieldError(f"{a.name}[{i}]", "unknown level (write levels as 'L4-L5')")


#: The levels, as a set (is this a level?).
LEVEL_SET = frozenset(LEVELS)


def _some_levels(_: object, a: attrs.Attribute[tuple[str, ...]], value: tuple[str, ...]) -> None:
    if not value:
        raise FieldError(a.name, "a procedure names at least one level")


#: A CPT/HCPCS code, optionally with its side modifier as billed (``64493-50``, ``64493-LT``).
_CODE = re.compile(r"^(\d{4}[0-9FTU]|[A-Z]\d{4})(-(50|LT|RT))?$")


def _billing_codes(
    _: object, a: attrs.Attribute[tuple[str, ...] | None], value: tuple[str, ...] | None
) -> None:
    for i, code in enumerate(value or ()):
        if _CODE.match(code) is None:
            raise FieldError(f"{a.name}[{i}]", "expected a CPT or HCPCS code such as '64493' (or '64493-50')")


def _icd10_code(_: object, a: attrs.Attribute[str], value: str) -> None:
    if not is_known(value):
        raise FieldError(
            a.name, "not an ICD-10-CM code of the current code set (write it with its dot: 'M47.816')"
        )


def _between(lo: int, hi: int):  # type: ignore[no-untyped-def]
    def check(_: object, a: attrs.Attribute[object], value: float | None) -> None:
        if value is not None and not lo <= value <= hi:
            raise FieldError(a.name, f"must be between {lo} and {hi}")

    return check


def _not_before_start(inst: Care | Condition, _: attrs.Attribute[Date | None], end: Date | None) -> None:
    if end is not None and end < inst.start:
        raise FieldError("end", "end is before start")


def _not_before_date(inst: Diagnosis, _: attrs.Attribute[Date | None], end: Date | None) -> None:
    if end is not None and end < inst.date:
        raise FieldError("end", "end is before the date recorded")


def _valid_through(inst: Authorization, _: attrs.Attribute[Date | None], last: Date | None) -> None:
    if last is not None and last < (inst.valid_from or inst.date):
        raise FieldError("valid_through", "valid_through is before valid_from")


def _date(value: object) -> Date:
    """A pendulum ``Date`` from a date or ``YYYY-MM-DD`` (an event built by hand, not from JSON)."""
    if type(value) is Date:
        return value
    if isinstance(value, date):
        return parse_date(value.isoformat())
    if isinstance(value, str):
        return parse_date(value)
    raise TypeError(f"expected a date, got {value!r}")


def _opt_date(value: object) -> Date | None:
    return None if value is None else _date(value)


def _to_enum(cls: type[E], value: object) -> E:
    """A string to the enum (``"mbb"`` to ``ProcedureKind.MBB``); a member passes."""
    if type(value) is cls:
        return value
    try:
        return cls(value)
    except ValueError:
        raise ValueError(f"expected one of {[m.value for m in cls]}, got {value!r}") from None


# Named converters (the attrs mypy plugin reads named functions): event objects built by
# hand with strings get the same enums as events read from JSON.
def _care_kind(v: object) -> CareKind:
    return _to_enum(CareKind, v)


def _response(v: object) -> Response | None:
    return None if v is None else _to_enum(Response, v)


def _components(v: Iterable[object]) -> tuple[Component, ...]:
    return tuple(_to_enum(Component, x) for x in v)


def _modality(v: object) -> Modality:
    return _to_enum(Modality, v)


def _findings(v: Iterable[object]) -> tuple[ImagingFinding, ...]:
    return tuple(_to_enum(ImagingFinding, x) for x in v)


def _condition_kind(v: object) -> ConditionKind:
    return _to_enum(ConditionKind, v)


def _procedure_kind(v: object) -> ProcedureKind:
    return _to_enum(ProcedureKind, v)


def _side(v: object) -> Side:
    return _to_enum(Side, v)


def _authorization_status(v: object) -> AuthorizationStatus:
    return _to_enum(AuthorizationStatus, v)


def _opt_codes(v: Iterable[str] | None) -> tuple[str, ...] | None:
    return None if v is None else tuple(v)


def _approach(v: object) -> Approach | None:
    return None if v is None else _to_enum(Approach, v)


def _levels_of(v: Iterable[str]) -> tuple[str, ...]:
    return tuple(v)


def _opt_levels(v: Iterable[str] | None) -> tuple[str, ...] | None:
    return None if v is None else tuple(v)


@frozen
class SymptomOnset:
    """When the pain began; ``radiating`` into a limb or below the buttock."""

    type: ClassVar[str] = "symptom_onset"
    date: Date = field(converter=_date)
    radiating: bool | None = None

    @property
    def when(self) -> Date:
        return self.date


@frozen
class Care:
    """A course of conservative care, from ``start`` to ``end`` (open: ``None``)."""

    type: ClassVar[str] = "care"
    care: CareKind = field(converter=_care_kind)
    start: Date = field(converter=_date)
    end: Date | None = field(default=None, converter=_opt_date, validator=_not_before_start)
    response: Response | None = field(default=None, converter=_response)
    not_tolerated: bool | None = None
    contraindicated: bool | None = None
    components: tuple[Component, ...] = field(default=(), converter=_components)

    @property
    def when(self) -> Date:
        return self.start


@frozen
class Imaging:
    type: ClassVar[str] = "imaging"
    date: Date = field(converter=_date)
    modality: Modality = field(converter=_modality)
    findings: tuple[ImagingFinding, ...] = field(default=(), converter=_findings)
    levels: tuple[str, ...] | None = field(
        default=None, converter=_opt_levels, validator=attrs.validators.optional(_level)
    )

    @property
    def when(self) -> Date:
        return self.date


@frozen
class Exam:
    """A clinical examination; every finding is optional (``None``: not documented)."""

    type: ClassVar[str] = "exam"
    date: Date = field(converter=_date)
    nrs: int | None = field(default=None, validator=_between(0, 10))
    facet_signs: bool | None = None
    radicular_signs: bool | None = None
    adl_impairment: bool | None = None
    decreased_rom: bool | None = None
    impaired_gait: bool | None = None
    progressive_neuro_deficit: bool | None = None

    @property
    def when(self) -> Date:
        return self.date


#: The findings an exam may record, in the order of the class (everything but its date).
EXAM_FIELDS: tuple[str, ...] = tuple(a.name for a in attrs.fields(Exam) if a.name != "date")


@frozen
class Condition:
    """A condition, active from ``start`` to ``end`` inclusive (``None``: ongoing)."""

    type: ClassVar[str] = "condition"
    condition: ConditionKind = field(converter=_condition_kind)
    start: Date = field(converter=_date)
    end: Date | None = field(default=None, converter=_opt_date, validator=_not_before_start)
    levels: tuple[str, ...] | None = field(
        default=None, converter=_opt_levels, validator=attrs.validators.optional(_level)
    )

    @property
    def when(self) -> Date:
        return self.start

    def active_on(self, d: Date) -> bool:
        return self.start <= d and (self.end is None or d <= self.end)


@frozen
class Procedure:
    """A procedure done (in an episode) or proposed (to ``evaluate()``)."""

    type: ClassVar[str] = "procedure"
    id: str
    procedure: ProcedureKind = field(converter=_procedure_kind)
    date: Date = field(converter=_date)
    levels: tuple[str, ...] = field(converter=_levels_of, validator=[_some_levels, _level])
    side: Side = field(converter=_side)
    approach: Approach | None = field(default=None, converter=_approach)
    #: The CPT/HCPCS codes as billed, where the record gives them.
    codes: tuple[str, ...] | None = field(default=None, converter=_opt_codes, validator=_billing_codes)

    @property
    def when(self) -> Date:
        return self.date


@frozen
class Outcome:
    """Relief documented after a procedure (``relief_percent`` 0-100)."""

    type: ClassVar[str] = "outcome"
    procedure_id: str
    date: Date = field(converter=_date)
    relief_percent: float = field(validator=_between(0, 100))
    functional_improvement: bool | None = None

    @property
    def when(self) -> Date:
        return self.date


@frozen
class Documentation:
    """An item of documentation on file (``history_and_physical``, ...)."""

    type: ClassVar[str] = "documentation"
    item: str
    date: Date = field(converter=_date)

    @property
    def when(self) -> Date:
        return self.date


@frozen
class Diagnosis:
    """An ICD-10-CM diagnosis recorded on ``date``; resolved on ``end`` (``None``: current)."""

    type: ClassVar[str] = "diagnosis"
    code: str = field(validator=_icd10_code)
    date: Date = field(converter=_date)
    end: Date | None = field(default=None, converter=_opt_date, validator=_not_before_date)

    @property
    def when(self) -> Date:
        return self.date

    def current_on(self, d: Date) -> bool:
        """Recorded by ``d`` and not resolved before it."""
        return self.date <= d and (self.end is None or d <= self.end)


@frozen
class Authorization:
    """A payer's prior-authorization decision on ``date`` for a procedure kind (every step of it).

    ``valid_from`` defaults to the decision's date; ``valid_through`` (``None``) to the policy's
    validity; ``levels`` (``None``) to every level.
    """

    type: ClassVar[str] = "authorization"
    id: str
    procedure: ProcedureKind = field(converter=_procedure_kind)
    date: Date = field(converter=_date)
    status: AuthorizationStatus = field(converter=_authorization_status)
    valid_from: Date | None = field(default=None, converter=_opt_date)
    valid_through: Date | None = field(default=None, converter=_opt_date, validator=_valid_through)
    levels: tuple[str, ...] | None = field(
        default=None, converter=_opt_levels, validator=attrs.validators.optional(_level)
    )
    reference: str | None = None

    @property
    def when(self) -> Date:
        return self.date


Event = (
    SymptomOnset
    | Care
    | Imaging
    | Exam
    | Condition
    | Procedure
    | Outcome
    | Documentation
    | Diagnosis
    | Authorization
)

#: Every event class by its wire ``type``: the one list of event types.  The wire format,
#: the episode's checks and the record's buckets all derive from it.
EVENT_TYPES: dict[str, type[Event]] = {
    cls.type: cls
    for cls in (
        SymptomOnset,
        Care,
        Imaging,
        Exam,
        Condition,
        Procedure,
        Outcome,
        Documentation,
        Diagnosis,
        Authorization,
    )
}

#: Every enumeration of the wire format.
ENUMS: tuple[type[enum.StrEnum], ...] = (
    Region,
    CareKind,
    Response,
    Component,
    Modality,
    ImagingFinding,
    ConditionKind,
    ProcedureKind,
    Side,
    Approach,
    AuthorizationStatus,
)
