"""Text sniffing and value clean-up shared by the DUO and CBS loaders."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest

from npo_analysis.data.sources import SourceFormatError
from npo_analysis.data.sources.common import (
    choose_layout,
    counts_with_suppression,
    decimal_comma_numbers,
    decode_text,
    file_sha256,
    municipality_codes,
    read_delimited,
)


@pytest.mark.parametrize(("data", "text", "encoding"), [
    (b"\xef\xbb\xbfNAAM;X\r\n", "NAAM;X\r\n", "utf-8-sig"),
    ("Súdwest;é".encode(), "Súdwest;é", "utf-8"),
    ("Brâmen;Élan;Hindoeïstisch".encode("cp1252"), "Brâmen;Élan;Hindoeïstisch", "cp1252"),
    (b"plain ascii", "plain ascii", "utf-8"),
])
def test_decode_text(data, text, encoding):
    assert decode_text(data) == (text, encoding)


def test_read_delimited_sniffs_comma_and_semicolon(tmp_path):
    (tmp_path / "comma.csv").write_bytes(b"A,B\r\n1,x y\r\n")
    (tmp_path / "semi.csv").write_bytes('A;B\n"BS ""De Linde""";é\n'.encode("cp1252"))
    comma, comma_format = read_delimited(tmp_path / "comma.csv")
    semi, semi_format = read_delimited(tmp_path / "semi.csv")
    assert comma.to_dict("list") == {"A": ["1"], "B": ["x y"]}
    assert (comma_format.separator, comma_format.line_ending) == (",", "CRLF")
    assert semi.to_dict("list") == {"A": ['BS "De Linde"'], "B": ["é"]}
    assert (semi_format.separator, semi_format.line_ending, semi_format.encoding) == (
        ";", "LF", "cp1252")


def test_read_delimited_keeps_single_space_and_leading_zeros(tmp_path):
    (tmp_path / "f.csv").write_bytes(b"A;B;C\n0014; ;\n")
    frame, _ = read_delimited(tmp_path / "f.csv")
    assert frame.iloc[0].tolist() == ["0014", " ", ""]


def test_read_delimited_empty_file(tmp_path):
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(SourceFormatError, match=r"empty\.csv: the file is empty"):
        read_delimited(tmp_path / "empty.csv")


def test_municipality_codes_all_spellings():
    values = pd.Series(["14", " 14", "  14", "0014", "GM0014", "1680"])
    assert municipality_codes("f.csv", values, "X").tolist() == ["GM0014"] * 5 + ["GM1680"]


def test_municipality_codes_bad_value_names_row():
    with pytest.raises(SourceFormatError, match=r"f\.csv, column GEMEENTENUMMER: 1 invalid "
                                                r"value\(s\), row 3: 'ONBEKEND'"):
        municipality_codes("f.csv", pd.Series(["14", "ONBEKEND"]), "GEMEENTENUMMER")


def test_counts_with_suppression():
    counts, flags = counts_with_suppression("f.csv", pd.Series(["0", "<5", " 12 ", "1815"]), "N")
    assert counts.dtype == "Int64"
    assert counts.isna().tolist() == [False, True, False, False]
    assert counts.dropna().tolist() == [0, 12, 1815]
    assert flags.tolist() == [False, True, False, False]


def test_counts_with_suppression_rejects_other_text():
    with pytest.raises(SourceFormatError, match=r"row 2: '<10'"):
        counts_with_suppression("f.csv", pd.Series(["<10"]), "N")


def test_decimal_comma_numbers():
    values = decimal_comma_numbers("f.csv", pd.Series(["538,636363", " ", "", "117", "-1,5"]),
                                   "GEM")
    assert values.iloc[0] == pytest.approx(538.636363)
    assert values.isna().tolist() == [False, True, True, False, False]
    assert values.iloc[3:].tolist() == [117.0, -1.5]


def test_choose_layout_lists_every_layout_and_found_columns():
    layouts = {"new": ("A", "B"), "old": ("C",)}
    assert choose_layout("f.csv", ["C", "D"], layouts, "a test file") == "old"
    with pytest.raises(SourceFormatError) as info:
        choose_layout("f.csv", ["X"], layouts, "a test file")
    assert str(info.value) == ("f.csv: does not look like a test file; expected the columns of "
                               "layout new: A, B; or old: C; found columns X")


def test_file_sha256(tmp_path):
    (tmp_path / "f").write_bytes(b"npo")
    assert file_sha256(tmp_path / "f") == hashlib.sha256(b"npo").hexdigest()
