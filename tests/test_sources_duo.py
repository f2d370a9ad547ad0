"""DUO loaders on hand-made files in the published formats, with every quirk."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from npo_analysis.data.sources import SourceFormatError
from npo_analysis.data.sources.duo import (
    read_end_scores,
    read_pupil_counts,
    read_school_addresses,
    regular_school_pupils,
    standardise_end_scores,
)

FIXTURES = Path(__file__).parent / "fixtures" / "realformat"


# --- Addresses ---------------------------------------------------------------------------------


def test_addresses_current_layout_cp1252_crlf():
    addresses = read_school_addresses(FIXTURES / "addresses_current.csv")
    source = addresses.attrs["source"]
    assert (source["layout"], source["encoding"], source["line_ending"]) == (
        "current", "cp1252", "CRLF")
    assert addresses["school_id"].tolist() == ["99AA00", "99AB00", "99AB01", "99AC00",
                                               "99AD00", "99AE00"]
    first = addresses.iloc[1]
    assert first["name"] == "Basisschool Élan"
    assert addresses.iloc[2]["name"] == "CBS De Brâmen"
    assert addresses.iloc[5]["denomination"] == "Hindoeïstisch"
    assert (first["municipality_code"], first["board_id"], first["postcode"], first["place"]) == (
        "GM0902", "10002", "2901 AB", "S GRAVENWAARD")


def test_addresses_province_in_cbs_spelling():
    addresses = read_school_addresses(FIXTURES / "addresses_current.csv")
    assert addresses["province"].tolist() == ["Fryslân", "Zuid-Holland", "Fryslân",
                                              "Noord-Holland", "Gelderland", "Zuid-Holland"]


def test_addresses_blank_municipality_name_keeps_code():
    addresses = read_school_addresses(FIXTURES / "addresses_current.csv").set_index("school_id")
    assert pd.isna(addresses.loc["99AC00", "municipality_name_duo"])
    assert addresses.loc["99AC00", "municipality_code"] == "GM0903"
    assert addresses.loc["99AA00", "municipality_name_duo"] == "ZUIDERWOLD"


def test_addresses_older_layout_lf():
    addresses = read_school_addresses(FIXTURES / "addresses_older.csv")
    assert addresses.attrs["source"]["layout"] == "older"
    assert addresses.attrs["source"]["line_ending"] == "LF"
    assert addresses["school_id"].tolist() == ["99AA00", "99AB00"]
    assert addresses["province"].tolist() == ["Fryslân", "Zuid-Holland"]
    assert addresses["name"].tolist() == ["OBS De Zonnewijzer", "Basisschool Élan"]


def test_addresses_older_layout_with_two_digit_location(tmp_path):
    lines = ["PROVINCIE;BEVOEGD GEZAG NUMMER;BRIN NUMMER;VESTIGINGSNUMMER;VESTIGINGSNAAM;"
             "POSTCODE;PLAATSNAAM;GEMEENTENUMMER;GEMEENTENAAM;DENOMINATIE",
             "Utrecht;10009;99AX;1;De Linde;3901 XX;DORP;0905;DORP;Openbaar"]
    path = tmp_path / "old.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert read_school_addresses(path)["school_id"].tolist() == ["99AX01"]


def test_addresses_wrong_layout_names_file_expected_and_found():
    with pytest.raises(SourceFormatError) as info:
        read_school_addresses(FIXTURES / "wrong_layout.csv")
    message = str(info.value)
    assert "wrong_layout.csv" in message
    assert "VESTIGINGSCODE" in message and "BRIN NUMMER" in message
    assert "found columns SCHOOL, NAAM, PLAATS" in message


def test_addresses_bad_school_code_names_row(tmp_path):
    text = (FIXTURES / "addresses_older.csv").read_bytes().replace(b"99AB00", b"99AB0X")
    (tmp_path / "bad.csv").write_bytes(text)
    with pytest.raises(SourceFormatError, match=r"bad\.csv, column VESTIGINGSNUMMER: 1 invalid "
                                                r"value\(s\), row 3: '99AB0X'"):
        read_school_addresses(tmp_path / "bad.csv")


def test_addresses_duplicate_school(tmp_path):
    lines = (FIXTURES / "addresses_older.csv").read_bytes().splitlines()
    (tmp_path / "dup.csv").write_bytes(b"\n".join([*lines, lines[1]]) + b"\n")
    with pytest.raises(SourceFormatError, match="expected each school location once"):
        read_school_addresses(tmp_path / "dup.csv")


# --- Pupil counts ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def counts() -> pd.DataFrame:
    return read_pupil_counts(FIXTURES / "pupil_counts.csv")


def test_pupil_counts_long_format(counts):
    assert list(counts.columns) == ["school_id", "school_type", "municipality_code", "year",
                                    "pupils", "suppressed", "name", "board_id", "denomination"]
    # 7 real locations (the placeholder left out) x 3 years.
    assert len(counts) == 21
    assert counts.attrs["source"]["encoding"] == "utf-8-sig"
    assert counts.attrs["source"]["line_ending"] == "CRLF"
    assert counts.attrs["source"]["years"] == [2018, 2020]


def test_pupil_counts_unpadded_codes(counts):
    codes = counts.drop_duplicates("school_id").set_index("school_id")["municipality_code"]
    assert codes["99AA00"] == "GM0901"
    assert codes["99AG00"] == "GM0014"


def test_pupil_counts_suppressed_is_missing_never_zero(counts):
    row = counts[(counts["school_id"] == "99AB01") & (counts["year"] == 2018)].iloc[0]
    assert row["suppressed"] and pd.isna(row["pupils"])
    zero = counts[(counts["school_id"] == "99AC00") & (counts["year"] == 2019)].iloc[0]
    assert zero["pupils"] == 0 and not zero["suppressed"]
    assert int(counts["suppressed"].sum()) == 3


def test_pupil_counts_placeholder_rows_listed(counts):
    assert counts.attrs["placeholder_rows"] == ["50ZZ00"]
    assert "50ZZ00" not in set(counts["school_id"])
    assert counts.drop_duplicates("school_id")["name"].tolist()[1] == "Basisschool Élan"


def test_regular_school_pupils_one_year(counts):
    year = regular_school_pupils(counts, 2019).set_index("school_id")
    assert "99AG00" not in year.index  # SBO
    # 121 + 200 + 35 + 0 + 90 + 60, from the fixture's LEERLINGEN_2019 column.
    assert int(year["pupils"].sum()) == 506
    with pytest.raises(ValueError, match="year=2021: the pupil-count file has years 2018-2020"):
        regular_school_pupils(counts, 2021)


def test_pupil_counts_bad_count_names_row_and_column(tmp_path):
    text = (FIXTURES / "pupil_counts.csv").read_bytes().replace(b";190;", b";19O;")
    (tmp_path / "bad.csv").write_bytes(text)
    with pytest.raises(SourceFormatError, match=r"bad\.csv, column LEERLINGEN_2018: 1 invalid "
                                                r"value\(s\), row 3: '19O'; expected a whole "
                                                r"number >= 0 or '<5'"):
        read_pupil_counts(tmp_path / "bad.csv")


def test_pupil_counts_without_year_columns(tmp_path):
    path = tmp_path / "noyears.csv"
    path.write_text("INSTELLINGSCODE;VESTIGINGSCODE;NAAM_VESTIGING;SOORT_VESTIGING;"
                    "DENOMINATIE_VESTIGING;BEVOEGD_GEZAG_NUMMER;GEMEENTECODE_VESTIGING;"
                    "GEMEENTENAAM_VESTIGING\n", encoding="utf-8")
    with pytest.raises(SourceFormatError, match="expected columns LEERLINGEN_<year>"):
        read_pupil_counts(path)


def test_pupil_counts_wrong_layout():
    with pytest.raises(SourceFormatError, match=r"wrong_layout\.csv.*GEMEENTECODE_VESTIGING.*"
                                                r"found columns SCHOOL, NAAM, PLAATS"):
        read_pupil_counts(FIXTURES / "wrong_layout.csv")


# --- End scores --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def end_scores() -> pd.DataFrame:
    return read_end_scores(FIXTURES / "end_scores.csv")


def test_end_scores_long_per_provider(end_scores):
    pairs = list(zip(end_scores["school_id"], end_scores["provider"], strict=True))
    assert pairs == [("99AA00", "CET"), ("99AB00", "CET"), ("99AB01", "IEP"),
                     ("99AB01", "ROUTE8"), ("99AD00", "AMN"), ("99AD00", "DIA"),
                     ("99AF00", "IEP"), ("99AG00", "CET")]
    assert end_scores.attrs["source"]["encoding"] == "cp1252"
    assert end_scores.attrs["source"]["count_date"] == "2019-04-17"


def test_end_scores_decimal_comma_blank_mean_and_padding(end_scores):
    rows = end_scores.set_index(["school_id", "provider"])
    assert rows.loc[("99AA00", "CET"), "mean_score"] == 530.5
    assert rows.loc[("99AB01", "IEP"), "mean_score"] == 75.25
    assert math.isnan(rows.loc[("99AB01", "ROUTE8"), "mean_score"])  # count 2, mean ' '
    assert rows.loc[("99AB01", "ROUTE8"), "pupils"] == 2
    assert rows.loc[("99AA00", "CET"), "municipality_code"] == "GM0901"   # ' 901'
    assert rows.loc[("99AG00", "CET"), "municipality_code"] == "GM0014"   # '  14'
    assert set(end_scores["school_year"]) == {2018}
    assert rows.loc[("99AG00", "CET"), "school_type"] == "SBO"


def test_end_scores_wrong_layout():
    with pytest.raises(SourceFormatError, match=r"wrong_layout\.csv.*CET_AANTAL.*"
                                                r"found columns SCHOOL, NAAM, PLAATS"):
        read_end_scores(FIXTURES / "wrong_layout.csv")


def test_end_scores_bad_mean(tmp_path):
    text = (FIXTURES / "end_scores.csv").read_bytes().replace(b"530,5", b"530.5.1")
    (tmp_path / "bad.csv").write_bytes(text)
    with pytest.raises(SourceFormatError, match=r"column CET_GEM.*row 2: '530\.5\.1'"):
        read_end_scores(tmp_path / "bad.csv")


def test_standardise_by_hand_two_providers():
    # CET: X 540, Y 530 (10 pupils each) -> mean 535, sd 5, z_X = +1.
    # IEP: X 70, Z 80 (30 pupils each) -> mean 75, sd 5, z_X = -1.
    # X combined, pupil-weighted: (10 * 1 + 30 * -1) / 40 = -0.5.
    frame = pd.DataFrame({
        "school_id": ["X", "Y", "X", "Z"], "school_year": 2018,
        "provider": ["CET", "CET", "IEP", "IEP"], "pupils": [10, 10, 30, 30],
        "mean_score": [540.0, 530.0, 70.0, 80.0]})
    result = standardise_end_scores(frame).set_index("school_id")
    assert result.loc["X", "standardised_score"] == pytest.approx(-0.5)
    assert result.loc["X", "pupils_tested"] == 40
    assert result.loc["X", "providers"] == "CET+IEP"
    assert result.loc["Y", "standardised_score"] == pytest.approx(-1.0)
    assert result.loc["Z", "standardised_score"] == pytest.approx(1.0)


def test_standardise_fixture_file(end_scores):
    regular = end_scores[end_scores["school_type"] == "BO"]
    result = standardise_end_scores(regular).set_index("school_id")["standardised_score"]
    # CET: 99AA00 (10 pupils, 530.5), 99AB00 (20, 540.5): weighted mean 537.17, sd 4.714
    # -> z = -sqrt(2) and 1/sqrt(2). IEP: 99AB01 (8, 75.25), 99AF00 (12, 85.25): mean 81.25,
    # sd sqrt(24) -> z = -6/sqrt(24) and 4/sqrt(24). 99AD00 is alone with DIA and AMN: z = 0.
    # 99AB01's ROUTE8 row has no mean and is left out.
    expected = {"99AA00": -math.sqrt(2), "99AB00": 1 / math.sqrt(2),
                "99AB01": -6 / math.sqrt(24), "99AF00": 4 / math.sqrt(24), "99AD00": 0.0}
    assert result.to_dict() == pytest.approx(expected)


def test_standardise_ignores_scale_of_each_provider():
    # Shifting and stretching one provider's scale must not change any standardised score:
    # raw scores are never compared across providers.
    rng = np.random.default_rng(7)
    frame = pd.DataFrame({
        "school_id": [f"S{i}" for i in range(12)] * 2, "school_year": 2018,
        "provider": ["CET"] * 12 + ["IEP"] * 12, "pupils": rng.integers(5, 60, 24),
        "mean_score": np.concatenate([rng.normal(535, 4, 12), rng.normal(80, 6, 12)])})
    moved = frame.assign(mean_score=np.where(frame["provider"] == "IEP",
                                             frame["mean_score"] * 3 + 400,
                                             frame["mean_score"]))
    first = standardise_end_scores(frame)["standardised_score"].to_numpy()
    second = standardise_end_scores(moved)["standardised_score"].to_numpy()
    np.testing.assert_allclose(first, second, atol=1e-12)
