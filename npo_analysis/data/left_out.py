"""Scored schools a public import left out, and the sentence every report shows about them.

``npo-analysis import-public --allow-unplaced`` may leave schools of the CBS score file out of the
dataset (they cannot be placed in a municipality of the indeling, or have no pupil count). They
are kept in the table ``left_out_scores`` (with the municipality when it is known) and counted in
``dataset.json`` (``public.left_out``), so that a municipality's report, the index and the
national overview can say how many schools and how much score are missing.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from npo_analysis.formatting import check_language, format_count, format_number

if TYPE_CHECKING:  # pandas is imported only when a table is read: the batch's own process
    import pandas as pd  # renders the index sentence without it

#: The dataset table of the left-out scored schools.
LEFT_OUT_TABLE = "left_out_scores"
#: Columns of :func:`left_out_by_municipality`.
LEFT_OUT_COLUMNS = ("municipality_code", "schools", "pupils", "score_gross", "score")


def left_out_by_municipality(data_dir: str | Path) -> pd.DataFrame:
    """Left-out scored schools per municipality, with their pupils and published score.

    Parameters
    ----------
    data_dir : path-like
        The dataset directory.

    Returns
    -------
    pandas.DataFrame
        :data:`LEFT_OUT_COLUMNS`, one row per municipality with left-out schools, sorted;
        ``municipality_code`` is missing for the schools that could not be placed anywhere.
        Empty when the dataset has no ``left_out_scores`` table (Demoland, older imports).
    """
    import pandas as pd

    path = Path(data_dir) / f"{LEFT_OUT_TABLE}.parquet"
    if not path.is_file():
        return pd.DataFrame({name: pd.Series(dtype="str" if name == "municipality_code"
                                             else "float64") for name in LEFT_OUT_COLUMNS})
    frame = pd.read_parquet(path)
    grouped = frame.groupby("municipality_code", dropna=False, sort=True).agg(
        schools=("school_id", "size"), pupils=("pupils", "sum"),
        score_gross=("score_gross", "sum"), score=("score", "sum"))
    return grouped.reset_index()[list(LEFT_OUT_COLUMNS)]


def left_out_totals(data_dir: str | Path, municipality_code: str | None = None) -> dict:
    """How many scored schools, pupils and how much score were left out.

    Parameters
    ----------
    data_dir : path-like
        The dataset directory.
    municipality_code : str, optional
        One municipality (default: the whole country, unplaced schools included).

    Returns
    -------
    dict
        ``schools``, ``pupils``, ``score_gross``, ``score`` (zeros when none).
    """
    table = left_out_by_municipality(data_dir)
    if municipality_code is not None:
        table = table[(table["municipality_code"] == municipality_code).to_numpy()]
    return {"schools": int(table["schools"].sum()), "pupils": int(table["pupils"].sum()),
            "score_gross": float(table["score_gross"].sum()),
            "score": float(table["score"].sum())}


def left_out_sentence(schools: int, score: float, language: str = "nl",
                      where: str | None = None) -> str:
    """One sentence saying how many scored schools and how much score are left out.

    Parameters
    ----------
    schools : int
        Schools left out (0 gives ``""``).
    score : float
        Their published score (after the threshold), summed.
    language : {"nl", "en"}
        Language.
    where : str, optional
        The municipality's name (default: the country).

    Returns
    -------
    str

    Examples
    --------
    >>> left_out_sentence(2, 1234.5)[:72]
    'Let op: 2 scholen met een gepubliceerde CBS-score (samen 1.234,50) ontbr'
    >>> left_out_sentence(1, 10.0, "en", "Eemsdelta")[:60]
    'Note: 1 school with a published CBS score (10.00 in total) i'
    """
    language = check_language(language)
    if not schools:
        return ""
    count, total = format_count(schools, language), format_number(score, 2, language)
    if language == "nl":
        noun = "school" if schools == 1 else "scholen"
        verb = "ontbreekt" if schools == 1 else "ontbreken"
        return (f"Let op: {count} {noun} met een gepubliceerde CBS-score (samen {total}) {verb} "
                f"in de cijfers van {where or 'Nederland'}: de import kon ze niet in een "
                "gemeente plaatsen of vond geen leerlingaantal.")
    noun = "school" if schools == 1 else "schools"
    verb = "is" if schools == 1 else "are"
    return (f"Note: {count} {noun} with a published CBS score ({total} in total) {verb} missing "
            f"from the figures of {where or 'the Netherlands'}: the import could not place them "
            "in a municipality or found no pupil count.")


def dataset_left_out_sentence(dataset: dict, language: str = "nl") -> str:
    """The sentence on left-out schools from ``dataset.json`` alone (for the index page).

    Parameters
    ----------
    dataset : dict
        The content of ``dataset.json`` (``public.left_out`` of a public import).
    language : {"nl", "en"}
        Language.

    Returns
    -------
    str
        ``""`` when nothing was left out (or the dataset is not a public import).
    """
    left = (dataset.get("public") or {}).get("left_out") or {}
    return left_out_sentence(int(left.get("schools", 0)), float(left.get("score", 0.0)),
                             language)


def left_out_markdown(data) -> str:
    """The report's sentences on left-out schools: the municipality's own, then the country's.

    Parameters
    ----------
    data : npo_analysis.report.inputs.ReportData
        The report's inputs (``params.data_dir``, ``code``, ``municipality``, ``language``).

    Returns
    -------
    str
        Markdown; ``""`` when nothing was left out.
    """
    own = left_out_totals(data.params.data_dir, data.code)
    country = left_out_totals(data.params.data_dir)
    parts = [left_out_sentence(own["schools"], own["score"], data.language,
                               data.municipality["name"]),
             left_out_sentence(country["schools"], country["score"], data.language)]
    return "\n\n".join(part for part in parts if part)


def national_left_out_markdown(data_dir: str | Path, language: str = "nl") -> str:
    """The national overview's and the index's sentence on left-out schools (``""`` if none).

    Parameters
    ----------
    data_dir : path-like
        The dataset directory.
    language : {"nl", "en"}
        Language.

    Returns
    -------
    str
    """
    totals = left_out_totals(data_dir)
    return left_out_sentence(totals["schools"], totals["score"], language)
