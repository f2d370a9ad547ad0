"""Everything one municipality report reads, loaded once: :func:`load_report_data`.

The report reads only its municipality's slice of the dataset (the rows of the municipality's
code, its neighbourhoods and its schools) plus the small national tables (one row per school or
municipality) it compares with. Tables are read once per process and sliced in memory
(:mod:`npo_analysis.table_cache`): a warm kernel reads each file once for all its reports. The
national tables come from :func:`npo_analysis.national.tables.build_national_tables`;
:func:`open_national_tables` opens them and says which command builds them when they are missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from npo_analysis.data.dataset import INFO_FILE, DatasetInfo, coerce_table
from npo_analysis.data.menukaart import load_menukaart
from npo_analysis.data.schema import TABLES
from npo_analysis.domain.params import BudgetParams, MunicipalityOverride, load_params
from npo_analysis.domain.peers import resolve_peers
from npo_analysis.national.tables import INFO_FILE as NATIONAL_INFO
from npo_analysis.national.tables import (
    NationalTables,
    load_national_tables,
)
from npo_analysis.report.availability import DatasetContents, Notice, dataset_contents, missing_for
from npo_analysis.report.local_voice import load_local_voice
from npo_analysis.report.parameters import ReportParameterError, ReportParameters
from npo_analysis.report.profile import municipality_profile
from npo_analysis.table_cache import cached_table


def open_national_tables(params: ReportParameters) -> NationalTables:
    """Open the national tables in ``params.results_dir``; a report never computes them.

    The national tables are computed once per batch (``npo-analysis reports`` builds them, or
    ``npo-analysis national``) and every report reads them.

    Parameters
    ----------
    params : ReportParameters
        Validated report parameters.

    Returns
    -------
    npo_analysis.national.tables.NationalTables

    Raises
    ------
    ReportParameterError
        One line naming ``results_dir`` and the command that builds the tables.
    """
    if not (params.results_dir / NATIONAL_INFO).is_file():
        raise ReportParameterError(
            f"results_dir {params.results_dir} holds no national tables; build them first with "
            f"`npo-analysis national --data {params.data_dir} --out {params.results_dir}` "
            f"(`npo-analysis reports` builds them itself)")
    return load_national_tables(params.results_dir)


def read_slice(data_dir: Path, table: str, column: str, values: list[str]) -> pd.DataFrame:
    """Rows of a dataset table whose ``column`` is in ``values``, with canonical dtypes.

    Parameters
    ----------
    data_dir : pathlib.Path
        The dataset directory.
    table : str
        Table name (``<table>.parquet``).
    column : str
        Column to filter on.
    values : list of str
        Values to keep.

    Returns
    -------
    pandas.DataFrame
        The rows (none when ``values`` is empty), in file order, converted by
        :func:`npo_analysis.data.dataset.coerce_table`. A table the dataset lacks (a public dataset
        has no ``toddlers``, ``activities``, ...) gives an empty frame with the table's columns;
        the report's section then shows the notice of :mod:`npo_analysis.report.availability`.
    """
    path = data_dir / f"{table}.parquet"
    if not path.is_file():
        return empty_table(table)
    return read_coerced(table, path, where=(column, values))


def read_coerced(table: str, path: Path, where: tuple[str, list] | None = None) -> pd.DataFrame:
    """A dataset table with canonical dtypes (:func:`npo_analysis.data.dataset.coerce_table`), read
    once per process and sliced in memory (:mod:`npo_analysis.table_cache`).

    Parameters
    ----------
    table : str
        Table name of the data model.
    path : pathlib.Path
        Its Parquet file.
    where : (str, list), optional
        ``(column, values)``: only the rows whose ``column`` is one of ``values``.

    Returns
    -------
    pandas.DataFrame
    """
    return cached_table(path, lambda frame: coerce_table(table, frame), kind=f"coerced:{table}",
                        where=where)


def empty_table(table: str) -> pd.DataFrame:
    """A table of the data model without rows, with its canonical columns and dtypes.

    Parameters
    ----------
    table : str
        A table of :data:`npo_analysis.data.schema.TABLES`.

    Returns
    -------
    pandas.DataFrame
    """
    columns = TABLES[table].column_names
    return coerce_table(table, pd.DataFrame({c: pd.Series([], dtype=object) for c in columns}))


@dataclass(frozen=True)
class ReportData:
    """The inputs of one municipality report.

    Attributes
    ----------
    params : ReportParameters
        The validated parameters.
    info : DatasetInfo
        The dataset's metadata (name, synthetic, count date, sources).
    national : NationalTables
        The national tables.
    budget_params : dict
        Budget year -> :class:`~npo_analysis.domain.params.BudgetParams` of every year with budgets.
    budgets : dict
        Budget year -> municipality budgets of every municipality.
    school_budgets : pandas.DataFrame
        The report year's budgets of the municipality's schools.
    profile : pandas.DataFrame
        :func:`~npo_analysis.report.profile.municipality_profile` of the report year.
    neighbourhoods, schools, toddlers, vve_locations, activities, school_plans : DataFrame
        The municipality's rows of the dataset's tables.
    children : pandas.DataFrame
        The indicator's child scores of the municipality.
    interventions : pandas.DataFrame
        The menukaart.
    peers : list of str
        The peer group; ``peers_chosen`` says whether the municipality chose it.
    voice : MunicipalityOverride or None
        The local voice (``params/municipalities/<code>.yaml``).
    contents : npo_analysis.report.availability.DatasetContents
        Which tables of the dataset have rows (for :meth:`notice`).
    """

    params: ReportParameters
    info: DatasetInfo
    national: NationalTables
    budget_params: dict[int, BudgetParams]
    budgets: dict[int, pd.DataFrame]
    school_budgets: pd.DataFrame
    profile: pd.DataFrame
    neighbourhoods: pd.DataFrame
    schools: pd.DataFrame
    toddlers: pd.DataFrame
    vve_locations: pd.DataFrame
    activities: pd.DataFrame
    school_plans: pd.DataFrame
    children: pd.DataFrame
    interventions: pd.DataFrame
    peers: list[str]
    peers_chosen: bool
    voice: MunicipalityOverride | None
    contents: DatasetContents

    @property
    def code(self) -> str:
        """The municipality's code."""
        return self.params.municipality_code

    @property
    def language(self) -> str:
        """The report's language."""
        return self.params.language

    @cached_property
    def municipality(self) -> pd.Series:
        """The municipality's row of the profile (``name``, ``province``, figures)."""
        return self.profile.set_index("municipality_code").loc[self.code]

    @property
    def c_minus_g(self) -> float:
        """C - G of the indicator (estimated from the national totals without microdata)."""
        return self.national.c_minus_g

    @property
    def year_params(self) -> BudgetParams:
        """The report year's budget parameters."""
        return self.budget_params[self.params.year]

    def notice(self, section: str) -> Notice | None:
        """The notice of a section the dataset cannot support (``None`` when it can).

        Parameters
        ----------
        section : str
            A section of :data:`npo_analysis.report.availability.SECTION_NEEDS` (``"delays"``,
            ``"white_spots"``, ``"vve"``, ``"plans"``, ...).

        Returns
        -------
        npo_analysis.report.availability.Notice or None
            In the report's language, naming the table(s) the municipality must supply.
        """
        return missing_for(section, self.contents, self.language, self.params.docs_url or None)


def _dataset_slices(data_dir: Path, code: str) -> dict[str, pd.DataFrame]:
    """The municipality's rows of the dataset tables the report uses."""
    neighbourhoods = read_slice(data_dir, "neighbourhoods", "municipality_code", [code])
    schools = read_slice(data_dir, "schools", "municipality_code", [code])
    wijken = neighbourhoods["neighbourhood_code"].tolist()
    ids = schools["school_id"].tolist()
    return {
        "neighbourhoods": neighbourhoods,
        "schools": schools,
        "toddlers": read_slice(data_dir, "toddlers", "neighbourhood_code", wijken),
        "vve_locations": read_slice(data_dir, "vve_locations", "neighbourhood_code", wijken),
        "activities": read_slice(data_dir, "activities", "neighbourhood_code", wijken),
        "school_plans": read_slice(data_dir, "school_plans", "school_id", ids),
    }


def _interventions(data_dir: Path) -> pd.DataFrame:
    path = data_dir / "interventions.parquet"
    return read_coerced("interventions", path) if path.is_file() else load_menukaart()


def load_report_data(params: ReportParameters) -> ReportData:
    """Load everything the report of ``params.municipality_code`` needs.

    Parameters
    ----------
    params : ReportParameters
        From :func:`npo_analysis.report.validate_parameters`.

    Returns
    -------
    ReportData
    """
    national = open_national_tables(params)
    years = [y for y in national.years if y in _param_years(params)]
    budget_params = {y: load_params(y, params.params_dir) for y in years}
    budgets = {y: national.municipality_budgets(y) for y in years}
    municipalities = read_coerced("municipalities", params.data_dir / "municipalities.parquet")
    profile = municipality_profile(municipalities, national.municipality_scores,
                                   budgets[params.year])
    voice = load_local_voice(params.municipality_code, params.params_dir)
    chosen = params.peers or (voice.peers if voice is not None else [])
    _check_peers(chosen, profile, params)
    peers, peers_chosen = resolve_peers(profile, params.municipality_code, chosen)
    return ReportData(
        params=params, info=DatasetInfo.from_file(params.data_dir / INFO_FILE),
        national=national, budget_params=budget_params, budgets=budgets,
        school_budgets=national.budgets(params.year, params.municipality_code).schools,
        profile=profile, children=national.pupil_scores(params.municipality_code),
        interventions=_interventions(params.data_dir), peers=peers, peers_chosen=peers_chosen,
        voice=voice, contents=dataset_contents(params.data_dir),
        **_dataset_slices(params.data_dir, params.municipality_code))


def _check_peers(chosen: list[str], profile: pd.DataFrame, params: ReportParameters) -> None:
    """Peers chosen in ``params/municipalities/<code>.yaml`` must exist in the dataset."""
    unknown = sorted(set(chosen) - set(profile["municipality_code"]) - {""})
    if unknown or params.municipality_code in chosen:
        path = params.params_dir / "municipalities" / f"{params.municipality_code}.yaml"
        problem = (f"peers {unknown} are not in dataset {params.dataset_name}" if unknown
                   else "peers lists the municipality itself")
        raise ReportParameterError(f"{path}: {problem}")


def _param_years(params: ReportParameters) -> list[int]:
    from npo_analysis.domain.params import params_years

    return params_years(params.params_dir)
