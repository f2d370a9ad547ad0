"""Budget parameters per budget year: the ``params/<year>.yaml`` files, validated.

Every amount used by :mod:`npo_analysis.budgets` comes from these files, never from constants in
code, and every amount names its source with a status (``official``, ``derived`` or
``unconfirmed``; an unconfirmed value needs a note). Loading fails with a :class:`ParamsError`
listing one readable line per problem, naming the file and the key path, e.g.
``params/2024.yaml: goab.minimum_eur: expected a number, got 'abc'``.

Count-date rule (unconfirmed, see ``params/README.md``): budget year ``Y`` is funded from the
scores of the count date of year ``Y - 2`` (1 October up to 2021, 1 February from 2022).
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import typing
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator


def params_years(params_dir: str | Path = "params") -> list[int]:
    """Budget years that have a parameter file ``<params_dir>/<year>.yaml``.

    Parameters
    ----------
    params_dir : path-like
        The parameter directory.

    Returns
    -------
    list of int
        Sorted years.
    """
    return sorted(int(p.stem) for p in Path(params_dir).glob("[0-9][0-9][0-9][0-9].yaml"))


#: Key paths that need no entry in ``sources``.
UNSOURCED_KEYS: frozenset[str] = frozenset({"year", "sources", "npo_schools.school_year"})
MUNICIPALITY_CODE_PATTERN = re.compile(r"^GM[0-9]{4}$")


class ParamsError(ValueError):
    """A parameter file is missing or invalid; ``problems`` holds one readable line per problem."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


# --- Field types --------------------------------------------------------------------------------


def _number(value: Any) -> Any:
    """Accept ints, floats and Decimals (not booleans, not text)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise ValueError(f"expected a number, got {value!r}")
    return value


def _euro(value: Any) -> Decimal:
    """Convert a number to an exact Decimal of at most two decimals (whole cents)."""
    _number(value)
    try:
        amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation as exc:  # pragma: no cover - numbers always convert
        raise ValueError(f"expected a number, got {value!r}") from exc
    if not amount.is_finite():
        raise ValueError(f"expected a finite amount, got {value!r}")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError(f"expected whole cents (at most 2 decimals), got {value!r}")
    return amount


def _date(value: Any) -> Any:
    """Accept a date or an ISO ``YYYY-MM-DD`` text (pydantic would read a number as a timestamp)."""
    if isinstance(value, dt.date) or (isinstance(value, str)
                                      and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)):
        return value
    raise ValueError(f"expected a date written as YYYY-MM-DD, got {value!r}")


def _municipality_code(value: Any) -> str:
    """Accept ``GM`` + 4 digits; explain the YAML pitfall when the code arrives as a number."""
    if isinstance(value, int) and not isinstance(value, bool):
        raise ValueError(
            f"a municipality code was read as the number {value}: YAML turns unquoted codes into "
            'numbers (0363 even into octal 243); quote it with its prefix, e.g. "GM0363"'
        )
    if not isinstance(value, str) or not MUNICIPALITY_CODE_PATTERN.fullmatch(value):
        raise ValueError(f"expected a municipality code 'GM' + 4 digits (e.g. \"GM0363\"), "
                         f"got {value!r}")
    return value


Euro = Annotated[Decimal, BeforeValidator(_euro), Field(ge=0)]
Share = Annotated[float, BeforeValidator(_number), Field(ge=0, le=1)]
MunicipalityCode = Annotated[str, BeforeValidator(_municipality_code)]


def _cents(amount: Decimal) -> int:
    """Whole euro cents of a validated euro amount."""
    return int(amount * 100)


# --- Models -------------------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class IndicatorParams(_Strict):
    """Constants of the CBS indicator used for this budget year.

    Parameters
    ----------
    target_share : float
        Share of all pupils nationally in the target group (0.15).
    school_threshold_fraction : float
        F in the school threshold ``E x F x (C - G)`` (0.12).
    municipal_threshold_fraction : float
        F for the municipal score (unconfirmed).
    """

    target_share: Annotated[float, BeforeValidator(_number), Field(gt=0, lt=1)]
    school_threshold_fraction: Annotated[float, BeforeValidator(_number), Field(ge=0, lt=1)]
    municipal_threshold_fraction: Annotated[float, BeforeValidator(_number), Field(ge=0, lt=1)]


class GoabParams(_Strict):
    """The municipal education-disadvantage budget (GOAB).

    Parameters
    ----------
    total_eur : Decimal
        National total distributed over municipalities.
    minimum_eur : Decimal
        Guaranteed budget per municipality.
    phase_in_max_change : float, optional
        Largest relative change per municipality versus the previous year's budget; ``None``
        means no phase-in.
    """

    total_eur: Euro
    minimum_eur: Euro
    phase_in_max_change: Annotated[float, BeforeValidator(_number), Field(ge=0)] | None = None

    @property
    def total_cents(self) -> int:
        """National total in cents."""
        return _cents(self.total_eur)

    @property
    def minimum_cents(self) -> int:
        """Minimum per municipality in cents."""
        return _cents(self.minimum_eur)


class NpoSchoolParams(_Strict):
    """NPO money for schools: an amount per pupil plus an amount per unit of disadvantage score.

    Parameters
    ----------
    per_pupil_eur, per_score_unit_eur : Decimal
        Amounts per pupil and per score unit (0 in years without NPO money).
    school_year : str
        The NPO school year the amounts belong to, ``"YYYY-YYYY"``.
    """

    per_pupil_eur: Euro
    per_score_unit_eur: Euro
    school_year: Annotated[str, Field(pattern=r"^\d{4}-\d{4}$")]

    @property
    def per_pupil_cents(self) -> int:
        """Amount per pupil in cents."""
        return _cents(self.per_pupil_eur)


class NpoMunicipalParams(_Strict):
    """NPO grant to municipalities (SPUK): one part by pupils, the rest by the GOAB key.

    Parameters
    ----------
    total_eur : Decimal
        National total of the grant for this budget year (0 when none).
    share_by_pupils : float
        Fraction of the total distributed by pupil count.
    """

    total_eur: Euro
    share_by_pupils: Share

    @property
    def total_cents(self) -> int:
        """National total in cents."""
        return _cents(self.total_eur)


class Source(_Strict):
    """Where a parameter value comes from.

    Parameters
    ----------
    key : str
        Dotted key path of the parameter, e.g. ``"goab.total_eur"``.
    source : str
        Publication (or derivation) the value is taken from.
    status : {"official", "unconfirmed", "derived"}
        How certain the value is.
    note : str
        Explanation; required when the status is ``unconfirmed``.
    """

    key: str
    source: Annotated[str, Field(min_length=1)]
    status: Literal["official", "unconfirmed", "derived"]
    note: str = ""


class CountDateWeight(_Strict):
    """One count date of a budget year's scores and its weight in their average.

    Parameters
    ----------
    date : datetime.date
        The count date (peildatum) of the scores.
    weight : float
        Its weight; a year's weights add up to 1.
    """

    date: Annotated[dt.date, BeforeValidator(_date)]
    weight: Annotated[float, BeforeValidator(_number), Field(gt=0, le=1)]


class BudgetParams(_Strict):
    """All parameters of one budget year (the content of ``params/<year>.yaml``).

    Parameters
    ----------
    year : int
        The budget year.
    count_date : datetime.date
        Count date whose disadvantage scores fund this year when a dataset has the scores of
        one count date; must lie before the year starts.
    count_dates : list of CountDateWeight, optional
        The count-date rule: the count dates whose scores are averaged for this year, with
        their weights (CBS: budget year 2024 averages 1 February 2022 and 1 February 2023).
        Used when a dataset has scores of several count dates; default: ``count_date`` alone.
    indicator, goab, npo_schools, npo_municipalities
        The sections described by their models.
    sources : list of Source
        One entry per parameter key (except ``year`` and ``npo_schools.school_year``).
    """

    year: Annotated[int, Field(ge=2000, le=2100)]
    count_date: Annotated[dt.date, BeforeValidator(_date)]
    count_dates: list[CountDateWeight] | None = None
    indicator: IndicatorParams
    goab: GoabParams
    npo_schools: NpoSchoolParams
    npo_municipalities: NpoMunicipalParams
    sources: list[Source]

    @model_validator(mode="after")
    def _check_consistency(self) -> BudgetParams:
        problems = []
        if self.count_date >= dt.date(self.year, 1, 1):
            problems.append(f"count_date: {self.count_date} must lie before the budget year "
                            f"{self.year} starts")
        problems += _count_date_problems(self)
        problems += _source_problems(self)
        if problems:
            raise ValueError("\n".join(problems))
        return self

    @property
    def count_date_weights(self) -> dict[dt.date, float]:
        """The count-date rule as count date -> weight (``count_date`` alone when no rule)."""
        if self.count_dates is None:
            return {self.count_date: 1.0}
        return {entry.date: entry.weight for entry in self.count_dates}

    def source_of(self, key: str) -> Source:
        """Return the source entry of a dotted key path (``KeyError`` when there is none)."""
        for entry in self.sources:
            if entry.key == key:
                return entry
        raise KeyError(f"no source for {key!r}")


class SectionCommentary(_Strict):
    """The municipality's own commentary per section of its report (Markdown, may be empty).

    Parameters
    ----------
    data, duiden, doelen, doen : str
        Text shown beside the figures of the section with that name (the 4D cycle).
    """

    data: str = ""
    duiden: str = ""
    doelen: str = ""
    doen: str = ""


class LeaItem(_Strict):
    """A goal or agreement of the municipality's Lokale Educatieve Agenda (LEA).

    Parameters
    ----------
    text : str
        The goal or agreement, in the municipality's words.
    partners : list of str
        Who agreed to it (school boards, childcare, ...).
    deadline : str, optional
        When it should be reached, in words or as a date.
    indicator : str, optional
        How progress is measured.
    """

    text: Annotated[str, Field(min_length=1)]
    partners: list[str] = Field(default_factory=list)
    deadline: str | None = None
    indicator: str | None = None


class MunicipalityOverride(_Strict):
    """Optional per-municipality settings, ``params/municipalities/<code>.yaml``.

    Parameters
    ----------
    code : str
        CBS municipality code, quoted: ``"GM0363"``.
    name : str, optional
        Municipality name, for people reading the file.
    language : {"nl", "en"}
        Language of the municipality's report.
    peers : list of str
        Municipality codes to compare with in the report.
    commentary : SectionCommentary
        The municipality's own text per report section (the local voice).
    lea_goals : list of LeaItem
        Goals of its Lokale Educatieve Agenda.
    agreements : list of LeaItem
        Agreements made with its partners (LEA, OOGO).
    """

    code: MunicipalityCode
    name: str | None = None
    language: Literal["nl", "en"] = "nl"
    peers: list[MunicipalityCode] = Field(default_factory=list)
    commentary: SectionCommentary = Field(default_factory=SectionCommentary)
    lea_goals: list[LeaItem] = Field(default_factory=list)
    agreements: list[LeaItem] = Field(default_factory=list)


def _leaf_keys(model: type[BaseModel], prefix: str = "") -> list[str]:
    """Dotted paths of every leaf field of ``model`` (nested models are walked)."""
    keys = []
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            keys += _leaf_keys(annotation, f"{prefix}{name}.")
        else:
            keys.append(f"{prefix}{name}")
    return keys


def _count_date_problems(params: BudgetParams) -> list[str]:
    """The count-date rule: distinct dates before the budget year, weights adding up to 1."""
    if params.count_dates is None:
        return []
    if not params.count_dates:
        return ["count_dates: empty; expected at least one count date with its weight"]
    dates = [entry.date for entry in params.count_dates]
    problems = [f"count_dates.{i}.date: {d} must lie before the budget year {params.year} "
                "starts" for i, d in enumerate(dates) if d >= dt.date(params.year, 1, 1)]
    if len(set(dates)) < len(dates):
        problems.append(f"count_dates: a count date is listed twice ({sorted(map(str, dates))})")
    total = sum(entry.weight for entry in params.count_dates)
    if abs(total - 1) > 1e-9:
        problems.append(f"count_dates: the weights add up to {total:g}; expected 1")
    return problems


def _source_problems(params: BudgetParams) -> list[str]:
    """Check that every parameter has exactly one source entry and unconfirmed ones a note."""
    optional = {"count_dates"} if params.count_dates is None else set()
    known = [k for k in _leaf_keys(BudgetParams) if k not in UNSOURCED_KEYS | optional]
    problems, seen = [], set()
    for i, entry in enumerate(params.sources):
        where = f"sources.{i}"
        if entry.key not in known:
            problems.append(f"{where}.key: unknown parameter {entry.key!r}")
        elif entry.key in seen:
            problems.append(f"{where}.key: {entry.key!r} has more than one source entry")
        if entry.status == "unconfirmed" and not entry.note.strip():
            problems.append(f"{where}.note: an unconfirmed value needs a note ({entry.key})")
        seen.add(entry.key)
    problems += [f"sources: no entry for {key} (every parameter needs its source)"
                 for key in known if key not in seen]
    return problems


# --- Loading ------------------------------------------------------------------------------------


class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """The safe YAML loader (libyaml's C parser when available: several times faster per report)
    that rejects a key written twice in one mapping."""

    def construct_mapping(self, node, deep=False):
        keys = [self.construct_object(key, deep=deep) for key, _ in node.value]
        for i, key in enumerate(keys):
            if key in keys[:i]:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} appears twice", node.start_mark)
        return super().construct_mapping(node, deep=deep)


def _read_yaml(path: Path) -> dict:
    """Read a YAML mapping (safe loader); raise :class:`ParamsError` naming the file.

    A file whose bytes were parsed before is not parsed again (a report kernel reads the seven
    budget years for every report; comparing a few kilobytes costs microseconds, parsing them
    milliseconds). Callers get a copy, so a change to it does not reach the next one.
    """
    if not path.is_file():
        raise ParamsError([f"{path}: parameter file not found"])
    key, content = str(path.resolve()), path.read_bytes()
    if key in _parsed and _parsed[key][0] == content:
        return copy.deepcopy(_parsed[key][1])
    raw = _parse_yaml(path, content)
    _parsed[key] = (content, copy.deepcopy(raw))
    return raw


_parsed: dict[str, tuple[bytes, dict]] = {}


def _parse_yaml(path: Path, content: bytes) -> dict:
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParamsError([f"{path}: not UTF-8 text (byte {exc.start}: "
                           f"{content[exc.start:exc.start + 1]!r}); save the file as UTF-8"]
                          ) from None
    try:
        raw = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506
    except yaml.YAMLError as exc:
        raise ParamsError([f"{path}: not valid YAML ({' '.join(str(exc).split())})"]) from exc
    if not isinstance(raw, dict):
        raise ParamsError([f"{path}: expected a mapping of keys at the top, got {raw!r}"])
    return raw


def _model_at(model: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The model class found by following ``loc`` (field names, list indices) from ``model``."""
    for part in loc:
        if isinstance(part, int):
            continue
        info = model.model_fields.get(part)
        if info is None:
            return None
        candidates = [info.annotation, *typing.get_args(info.annotation)]
        model = next((c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)),
                     None)
        if model is None:
            return None
    return model


_RANGE_WORDS = {"greater_than_equal": ">=", "greater_than": ">", "less_than_equal": "<=",
                "less_than": "<"}
_RANGE_CTX = {"greater_than_equal": "ge", "greater_than": "gt", "less_than_equal": "le",
              "less_than": "lt"}


def _describe_error(error: dict, model: type[BaseModel]) -> list[str]:
    """Readable lines (``key.path: problem``) for one pydantic error."""
    loc = tuple(error["loc"])
    path = ".".join(str(p) for p in loc)
    kind, value = error["type"], error.get("input")
    if kind == "extra_forbidden":
        parent = _model_at(model, loc[:-1])
        allowed = sorted(parent.model_fields) if parent else []
        return [f"{path}: unknown key (allowed here: {', '.join(allowed)})"]
    if kind == "missing":
        return [f"{path}: missing key"]
    if kind in _RANGE_WORDS:
        bound = error["ctx"][_RANGE_CTX[kind]]
        return [f"{path}: value {value!r} out of range: must be {_RANGE_WORDS[kind]} {bound}"]
    if kind == "value_error":
        message = str(error["ctx"]["error"])
        return [f"{path}: {line}" if path else line for line in message.splitlines()]
    if kind == "literal_error":
        return [f"{path}: expected one of {error['ctx']['expected']}, got {value!r}"]
    if kind in {"model_type", "dict_type"}:
        return [f"{path}: expected a mapping of keys, got {value!r}"]
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return [f"{path}: expected a whole number, got {value!r}"]
    if kind in {"string_type", "string_too_short", "string_pattern_mismatch"}:
        return [f"{path}: expected text{_pattern_hint(error)}, got {value!r}"]
    return [f"{path}: {error['msg']} (got {value!r})"]


def _pattern_hint(error: dict) -> str:
    ctx = error.get("ctx") or {}
    if "pattern" in ctx:
        return f" matching {ctx['pattern']}"
    if error["type"] == "string_too_short":
        return " (not empty)"
    return ""


def _validate(model: type[BaseModel], raw: dict, path: Path):
    """Validate ``raw`` against ``model``; pydantic errors become one :class:`ParamsError`."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        lines = [line for error in exc.errors() for line in _describe_error(error, model)]
        raise ParamsError([f"{path}: {line}" for line in lines]) from None


def load_params_file(path: str | Path) -> BudgetParams:
    """Load and validate one budget-year parameter file.

    Parameters
    ----------
    path : path-like
        A YAML file such as ``params/2024.yaml``.

    Returns
    -------
    BudgetParams
        The validated parameters.

    Raises
    ------
    ParamsError
        When the file is missing, not valid YAML, or breaks a rule: one line per problem naming
        the file and key path (unknown key, missing key, wrong type, value out of range, a source
        entry missing, a municipality code YAML read as a number).
    """
    path = Path(path)
    return _validate(BudgetParams, _read_yaml(path), path)


def load_params(year: int, directory: str | Path = "params") -> BudgetParams:
    """Load the parameters of budget year ``year`` from ``<directory>/<year>.yaml``.

    Parameters
    ----------
    year : int
        The budget year.
    directory : path-like, default "params"
        The parameter directory.

    Returns
    -------
    BudgetParams
        The validated parameters; their ``year`` equals ``year``.

    Raises
    ------
    ParamsError
        See :func:`load_params_file`; also when the file is absent (listing the years present)
        or its ``year`` differs from the file name.

    Examples
    --------
    >>> load_params(2021).goab.minimum_eur  # doctest: +SKIP
    Decimal('64000')
    """
    directory = Path(directory)
    path = directory / f"{year}.yaml"
    if not path.is_file():
        present = sorted(p.stem for p in directory.glob("[0-9][0-9][0-9][0-9].yaml"))
        raise ParamsError([f"{path}: no parameter file for budget year {year} "
                           f"(years present in {directory}: {', '.join(present) or 'none'})"])
    params = load_params_file(path)
    if params.year != year:
        raise ParamsError([f"{path}: year: the file says {params.year} but its name says {year}"])
    return params


def load_municipality_file(path: str | Path) -> MunicipalityOverride:
    """Load ``params/municipalities/<code>.yaml`` (see ``params/municipalities/README.md``).

    Parameters
    ----------
    path : path-like
        The override file; its name must be the municipality code, e.g. ``GM0363.yaml``.

    Returns
    -------
    MunicipalityOverride
        The validated settings.

    Raises
    ------
    ParamsError
        Like :func:`load_params_file`, and when the code inside differs from the file name.
    """
    path = Path(path)
    override = _validate(MunicipalityOverride, _read_yaml(path), path)
    if override.code != path.stem:
        raise ParamsError([f"{path}: code: the file says {override.code!r} but its name says "
                           f"{path.stem!r}"])
    return override
