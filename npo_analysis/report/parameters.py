"""The parameters of one municipality report, checked where they enter.

The notebook's ``parameters`` cell (or Papermill) supplies ``municipality_code``, ``year``,
``data_dir``, ``results_dir``, ``params_dir``, ``language``, ``peers``, ``export_dir`` and
``docs_url``;
:func:`validate_parameters` checks them against the dataset and the parameter files and raises a
:class:`ReportParameterError` whose message is ONE line naming the parameter, the bad value and
what was expected, e.g. ``municipality_code 'GM9999' is not in dataset demoland-small; known
codes: GM0032, GM0127, ... (40)``. In Jupyter the error shows as that single line, without a
traceback.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError

from npo_analysis import table_cache
from npo_analysis.data.dataset import INFO_FILE, DatasetInfo
from npo_analysis.domain.params import params_years

CODE_PATTERN = r"^GM[0-9]{4}$"
#: An absolute address of the documentation (a relative one breaks in a report opened elsewhere).
DOCS_URL_PATTERN = r"(https?|file)://\S+"
#: How many known codes an error message lists before it abbreviates.
LISTED_CODES = 5


class ReportParameterError(ValueError):
    """A report parameter is wrong; the message is one line meant for the reader."""

    def _render_traceback_(self) -> list[str]:
        """IPython hook: show only ``ReportParameterError: <message>``, no traceback."""
        return [f"{type(self).__name__}: {self}"]


class ReportParameters(BaseModel):
    """The validated parameters of one municipality report.

    Parameters
    ----------
    municipality_code : str
        CBS code ``GM`` + 4 digits; must exist in the dataset.
    year : int
        Budget year; must have a parameter file ``<params_dir>/<year>.yaml``.
    data_dir : pathlib.Path
        The dataset directory (``dataset.json`` + Parquet tables).
    results_dir : pathlib.Path
        The national tables (indicator, budgets, scenarios). An existing directory, or a path
        whose parent exists: the tables are then built there.
    params_dir : pathlib.Path
        The parameter directory (``<year>.yaml``, ``municipalities/``, ``scenarios/``).
    language : {"nl", "en"}
        Language of every text the reader sees.
    peers : list of str
        Municipality codes to compare with; empty means the default peer group.
    export_dir : str
        Where to write the municipality's Excel workbook ``<code>.xlsx`` (the batch passes the
        directory of the HTML reports, so the report links to it relatively); ``""`` (the
        default) writes none.
    docs_url : str
        Address of the project's ``docs`` folder (``http://``, ``https://`` or ``file://``):
        the notices of sections the dataset cannot support then link to the table formats
        there. ``""`` (the default) names the file and section in words instead, because a
        relative link breaks once the HTML report is opened outside the project.
    dataset_name : str
        Name of the dataset (from ``dataset.json``), filled in by :func:`validate_parameters`.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    municipality_code: StrictStr = Field(pattern=CODE_PATTERN)
    year: StrictInt
    data_dir: Path
    results_dir: Path
    params_dir: Path
    language: Literal["nl", "en"] = "nl"
    peers: list[StrictStr] = Field(default_factory=list)
    export_dir: StrictStr = ""
    docs_url: StrictStr = ""
    dataset_name: str = ""


def _first_error(exc: ValidationError) -> str:
    """One readable phrase per pydantic error, joined on one line."""
    phrases = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"])
        value = error.get("input")
        if error["type"] == "string_pattern_mismatch":
            phrases.append(f"{where} {value!r} is not a municipality code: expected 'GM' + 4 "
                           f"digits, e.g. 'GM0363'")
        elif error["type"] in {"int_type", "int_parsing"}:
            phrases.append(f"{where} {value!r} is not a whole number (expected e.g. 2024)")
        elif error["type"] == "literal_error":
            phrases.append(f"{where} {value!r} is not supported: expected one of "
                           f"{error['ctx']['expected']}")
        elif error["type"] == "extra_forbidden":
            phrases.append(f"unknown parameter {where!r}")
        else:
            phrases.append(f"{where} {value!r}: {error['msg']}")
    return "; ".join(phrases)


def _dataset_info(data_dir: Path) -> DatasetInfo:
    if not (data_dir / INFO_FILE).is_file():
        hint = ("run `make demo` first: it builds the Demoland demo dataset there"
                if "outputs/data" in data_dir.as_posix() else
                "expected a dataset directory written by `npo-analysis demo` or your own data")
        raise ReportParameterError(f"data_dir '{data_dir}' holds no dataset ({INFO_FILE} is "
                                   f"missing): {hint}")
    try:
        return DatasetInfo.from_file(data_dir / INFO_FILE)
    except Exception as exc:  # DatasetError, bad JSON: one line for the reader
        raise ReportParameterError(" ".join(str(exc).split())) from None


def known_municipalities(data_dir: str | Path) -> list[str]:
    """Sorted municipality codes of a dataset (read from ``municipalities.parquet`` only).

    Parameters
    ----------
    data_dir : path-like
        The dataset directory.

    Returns
    -------
    list of str
    """
    path = Path(data_dir) / "municipalities.parquet"
    if not path.is_file():
        raise ReportParameterError(f"data_dir '{data_dir}' has no municipalities table "
                                   f"({path.name} is missing)")
    codes = table_cache.read_parquet(path, columns=["municipality_code"])["municipality_code"]
    return sorted(str(code) for code in codes)


def _listed(codes: list[str]) -> str:
    shown = ", ".join(codes[:LISTED_CODES])
    more = ", ..." if len(codes) > LISTED_CODES else ""
    return f"{shown}{more} ({len(codes)})"


def _check_code(name: str, code: str, known: list[str], dataset: str) -> None:
    if code not in known:
        raise ReportParameterError(f"{name} {code!r} is not in dataset {dataset}; known codes: "
                                   f"{_listed(known)}")


def _check_dirs(params: ReportParameters) -> None:
    if not params.data_dir.is_dir():
        hint = " (run `make demo` first)" if "outputs/data" in params.data_dir.as_posix() else ""
        raise ReportParameterError(f"data_dir '{params.data_dir}' is not an existing "
                                   f"directory{hint}")
    results = params.results_dir  # created with the national tables when missing
    if results.exists() and not results.is_dir():
        raise ReportParameterError(f"results_dir '{results}' is a file; expected a directory")
    if not params.params_dir.is_dir():
        raise ReportParameterError(f"params_dir '{params.params_dir}' is not an existing "
                                   f"directory")
    export = Path(params.export_dir)
    if params.export_dir and not export.is_dir() and not export.parent.is_dir():
        raise ReportParameterError(f"export_dir '{export}' is neither an existing directory "
                                   f"nor inside one (its parent '{export.parent}' is missing)")


def _check_docs_url(docs_url: str) -> None:
    if docs_url and not re.fullmatch(DOCS_URL_PATTERN, docs_url):
        raise ReportParameterError(f"docs_url {docs_url!r} is not an absolute address: expected "
                                   "'' or one starting with http://, https:// or file://, e.g. "
                                   "'https://example.org/npo-analysis/docs'")


def _check_year(params: ReportParameters) -> None:
    years = params_years(params.params_dir)
    if params.year not in years:
        raise ReportParameterError(
            f"year {params.year} has no parameter file in {params.params_dir}; budget years "
            f"available: {', '.join(map(str, years)) or 'none'}")


def validate_parameters(**kwargs) -> ReportParameters:
    """Check the report parameters and fill in defaults; raise one clear line on a problem.

    Parameters
    ----------
    **kwargs
        ``municipality_code`` (``""`` = the first municipality of the dataset, by code),
        ``year``, ``data_dir``, ``results_dir``, ``params_dir`` (default ``"params"``),
        ``language`` (default ``"nl"``), ``peers`` (default ``[]``), ``export_dir``
        (default ``""``: no Excel workbook) and ``docs_url`` (default ``""``: notices name the
        documentation file and section in words).

    Returns
    -------
    ReportParameters
        The validated parameters with the resolved municipality code and ``dataset_name``.

    Raises
    ------
    ReportParameterError
        One line naming the parameter, its value and what was expected: a wrong type, a code
        that is not ``GM`` + 4 digits or not in the dataset, a missing directory (with a hint
        to run ``make demo`` for the demo data), a year without a parameter file, a peer equal
        to the municipality itself.

    Examples
    --------
    >>> validate_parameters(municipality_code="GM9999", year=2024,  # doctest: +SKIP
    ...                     data_dir="outputs/data/small", results_dir="outputs/results/small")
    Traceback (most recent call last):
    ReportParameterError: municipality_code 'GM9999' is not in dataset demoland-small; ...
    """
    raw = {"params_dir": "params", **kwargs}
    if raw.get("municipality_code") == "":
        raw["municipality_code"] = "GM0000"  # placeholder, resolved below once the data is known
        resolve_first = True
    else:
        resolve_first = False
    try:
        params = ReportParameters.model_validate(raw)
    except ValidationError as exc:
        raise ReportParameterError(_first_error(exc)) from None
    _check_dirs(params)
    _check_docs_url(params.docs_url)
    info = _dataset_info(params.data_dir)
    known = known_municipalities(params.data_dir)
    code = known[0] if resolve_first and known else params.municipality_code
    _check_code("municipality_code", code, known, info.name)
    for peer in params.peers:
        _check_code("peers", peer, known, info.name)
        if peer == code:
            raise ReportParameterError(f"peers {peer!r} is the municipality itself; list other "
                                       f"municipalities to compare with")
    _check_year(params)
    return params.model_copy(update={"municipality_code": code, "dataset_name": info.name})
