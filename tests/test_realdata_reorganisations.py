"""The real DUO/CBS files across municipal reorganisations (skipped without ../shared/realdata).

The address file is set back to the 2020 indeling at test time, in a temporary folder (never
committed): every school whose current municipality was formed or changed by a reorganisation of
2021-2023 gets the code its 2018-19 end-score file gives it (DUO's own older code). Imported with
the 2023 municipality list, every one of the 6,295 scored schools must still be placed, C - G
must be 5.8004 and every published score reproduced.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from npo_analysis.data.dataset import write_dataset
from npo_analysis.data.sources import cbs, duo
from npo_analysis.data.sources.public_dataset import UnplacedSchoolsError, build_public_dataset
from npo_analysis.data.sources.reorganisations import load_reorganisations
from npo_analysis.national.tables import build_national_tables, load_national_tables
from npo_analysis.report.trends import pupil_trend

ADDRESSES = "duo_02-alle-schoolvestigingen-basisonderwijs_2026.csv"
PUPILS = "duo_06-historisch-overzicht-aantal-leerlingen-per-schoolvestiging_1996-2025.csv"
SCORES = "cbs_achterstandsscores-scholen-2019.xlsx"
MUNICIPALITIES = "cbs_gemeenten-alfabetisch-2023.csv"
END_SCORES = "duo_gemiddelde-eindscores-bo-sbo-2018-2019.csv"
PARAMS_DIR = Path(__file__).resolve().parents[1] / "params"
#: Municipalities of 2023 formed or enlarged by a reorganisation of 2021-2023 (domain.md
#: section 8, plus Land van Cuijk GM1982, Maashorst GM1991 and Purmerend GM0439 of 2022).
CHANGED_2021_2023 = {"GM1979", "GM1980", "GM1982", "GM1991", "GM1992", "GM0363", "GM0439",
                     "GM0757", "GM0824", "GM0855", "GM0865"}


def older_codes(realdata: Path) -> dict[str, str]:
    """School -> municipality code of the 2018-19 end-score file (DUO's older code)."""
    ends = duo.read_end_scores(realdata / END_SCORES)
    return dict(zip(ends["school_id"], ends["municipality_code"], strict=True))


def set_back_addresses(realdata: Path, target: Path) -> tuple[Path, int]:
    """The address file with codes set back to the 2020 indeling (see the module docstring)."""
    old = older_codes(realdata)
    listed = set(cbs.read_municipalities(realdata / MUNICIPALITIES)["municipality_code"])
    lines = (realdata / ADDRESSES).read_bytes().decode("cp1252").split("\r\n")
    header = lines[0].split(";")
    school, code = header.index("VESTIGINGSCODE"), header.index("GEMEENTENUMMER")
    changed = 0
    for number, line in enumerate(lines[1:], start=1):
        fields = line.split(";")
        if len(fields) <= code:
            continue
        before = old.get(fields[school])
        if (before and before not in listed and "GM" + fields[code] in CHANGED_2021_2023):
            fields[code] = before.removeprefix("GM")
            lines[number] = ";".join(fields)
            changed += 1
    target.write_bytes("\r\n".join(lines).encode("cp1252"))
    return target, changed


@pytest.fixture(scope="module")
def realfiles():
    folder = Path(__file__).resolve().parents[2] / "shared" / "realdata"
    if not folder.is_dir():
        pytest.skip(f"real data folder {folder} is absent")
    return {"counts": duo.read_pupil_counts(folder / PUPILS),
            "scores": cbs.read_school_scores(folder / SCORES),
            "municipalities": cbs.read_municipalities(folder / MUNICIPALITIES),
            "folder": folder}


@pytest.fixture(scope="module")
def set_back(realfiles, tmp_path_factory):
    path, changed = set_back_addresses(realfiles["folder"],
                                       tmp_path_factory.mktemp("set_back") / "addresses.csv")
    dataset, report = build_public_dataset(path, realfiles["counts"], realfiles["scores"],
                                           realfiles["municipalities"], indeling=2023)
    return dataset, report, changed


def test_package_codes_match_the_files(realfiles):
    ends = duo.read_end_scores(realfiles["folder"] / END_SCORES)
    raw = pd.read_csv(realfiles["folder"] / END_SCORES, sep=";", encoding="cp1252", dtype=str)
    names = dict(zip("GM" + raw["GEMEENTENUMMER"].str.strip().str.zfill(4),
                     raw["GEMEENTENAAM"].str.strip(), strict=True))
    assert len(ends) > 0
    listed = realfiles["municipalities"].set_index("municipality_code")["name"]
    for row in load_reorganisations().itertuples():
        assert names[row.old_code] == row.old_name, row
        assert row.old_code not in listed.index, row
        assert listed[row.new_code] == row.new_name, row


def test_every_scored_school_is_placed_from_a_set_back_address_file(set_back):
    dataset, report, changed = set_back
    assert changed == 140
    assert len(dataset["published_school_scores"]) == 6295
    assert len(dataset["left_out_scores"]) == 0
    assert sum(m["schools"] for m in report.mappings) == 140
    eemsdelta = dataset["schools"][dataset["schools"]["municipality_code"] == "GM1979"]
    # 30 schools with a 2019 score in Eemsdelta (Appingedam, Delfzijl, Loppersum)
    assert len(eemsdelta) == 30
    # (a) and (b) agree on every package row; the files show three 2022 reorganisations the
    # package has no row for: Land van Cuijk, Maashorst, Purmerend (Beemster)
    assert {d["current_code"] for d in report.disagreements} == {"GM1982", "GM1991", "GM0439"}
    assert {d["disagreement"] for d in report.disagreements} == {"not in package data"}


def test_c_minus_g_and_published_scores_from_the_whole_file(set_back, tmp_path):
    dataset, _, _ = set_back
    assert round(dataset.info.public["c_minus_g"], 4) == 5.8004
    write_dataset(dataset, tmp_path / "data")
    build_national_tables(tmp_path / "data", tmp_path / "results", params_dir=PARAMS_DIR,
                          years=[2024])
    national = load_national_tables(tmp_path / "results")
    assert national.model["reproduction"]["within_tolerance"] == 6295
    assert national.model["c_minus_g_schools"] == 6295
    schools = national.budgets(2024).schools
    # published as published: the national total is the published sum
    assert round(float(schools["score"].sum()), 2) == 561_736.12
    assert schools.set_index("school_id").loc["18AA00", "score"] == 1699.89  # CBS figure
    trend = pupil_trend(tmp_path / "data", "GM0599", "Rotterdam")
    assert "49.470 leerlingen in het reguliere basisonderwijs" in trend.text


def test_without_the_history_files_codes_only_package_rows_place(realfiles, set_back,
                                                                 tmp_path):
    """A history file whose codes are set back as well: only the package data can map."""
    dataset, _, _ = set_back
    old = older_codes(realfiles["folder"])
    counts = realfiles["counts"]
    moved = counts["school_id"].map(old)
    back = moved.notna() & ~moved.isin(realfiles["municipalities"]["municipality_code"]) & \
        counts["municipality_code"].isin(CHANGED_2021_2023)
    counts = counts.assign(municipality_code=counts["municipality_code"].where(~back, moved))
    counts.attrs = realfiles["counts"].attrs
    path, _ = set_back_addresses(realfiles["folder"], tmp_path / "addresses.csv")
    with pytest.raises(UnplacedSchoolsError) as info:
        build_public_dataset(path, counts, realfiles["scores"], realfiles["municipalities"])
    unplaced = str(info.value).count("\n  ")
    # Land van Cuijk (5 municipalities), Maashorst (2), Beemster and Haaren's split
    assert str(info.value).startswith(f"{unplaced} school(s)")
    assert "GM0756" in str(info.value) and "GM0788 was split" in str(info.value)
