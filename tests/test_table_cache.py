"""The per-process table cache: the same frames as pandas' filtered reads, and never stale."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from npo_analysis import table_cache
from npo_analysis.atomic import atomic_path


@pytest.fixture(autouse=True)
def empty_cache(monkeypatch):
    monkeypatch.delenv(table_cache.LIMIT_VARIABLE, raising=False)
    table_cache.clear()
    yield
    table_cache.clear()


def write(path, frame: pd.DataFrame, row_group_size: int = 7) -> None:
    """Write atomically, as the package's writers do (a new file replaces the old one)."""
    with atomic_path(path, suffix=".parquet") as tmp:
        frame.to_parquet(tmp, index=False, row_group_size=row_group_size)


@pytest.fixture
def table(tmp_path):
    rng = np.random.default_rng(7)
    frame = pd.DataFrame({
        "school_id": rng.choice(["00AA00", "11BB11", "22CC22", "33DD33"], size=50),
        "domain": pd.Categorical(rng.choice(["rekenen", "lezen"], size=50)),
        "score": rng.normal(size=50),
        "n": rng.integers(0, 30, size=50),
    })
    frame.loc[[3, 17], "school_id"] = None
    path = tmp_path / "results.parquet"
    write(path, frame)
    return path


@pytest.mark.parametrize("values", [["11BB11"], ["33DD33", "00AA00"], ["nowhere"], [],
                                    ["11BB11", "11BB11"]])
def test_slices_equal_pandas_filtered_reads(table, values):
    expected = pd.read_parquet(table, filters=[("school_id", "in", values or [""])])
    for _ in range(2):  # the first call reads the file, the second comes from the cache
        got = table_cache.read_parquet(table, where=("school_id", values))
        pd.testing.assert_frame_equal(got, expected)


def test_whole_table_and_columns_equal_pandas(table):
    pd.testing.assert_frame_equal(table_cache.read_parquet(table), pd.read_parquet(table))
    pd.testing.assert_frame_equal(table_cache.read_parquet(table, columns=["n", "school_id"]),
                                  pd.read_parquet(table, columns=["n", "school_id"]))


def test_a_rewritten_file_is_read_again(table):
    before = table_cache.read_parquet(table, where=("school_id", ["11BB11"]))
    frame = pd.read_parquet(table)
    frame["score"] = 1.5
    write(table, frame)
    after = table_cache.read_parquet(table, where=("school_id", ["11BB11"]))
    assert len(after) == len(before)
    assert (after["score"] == 1.5).all() and not (before["score"] == 1.5).all()


def test_changing_a_result_does_not_change_the_next_one(table):
    first = table_cache.read_parquet(table, where=("school_id", ["11BB11"]))
    first.loc[0, "score"] = 99.0
    whole = table_cache.read_parquet(table)
    whole["score"] = -1.0
    whole.loc[1, "n"] = -5
    again = table_cache.read_parquet(table, where=("school_id", ["11BB11"]))
    pd.testing.assert_frame_equal(
        again, pd.read_parquet(table, filters=[("school_id", "in", ["11BB11"])]))
    pd.testing.assert_frame_equal(table_cache.read_parquet(table), pd.read_parquet(table))


def test_limit_zero_reads_every_time(table, monkeypatch):
    monkeypatch.setenv(table_cache.LIMIT_VARIABLE, "0")
    got = table_cache.read_parquet(table, where=("school_id", ["22CC22"]))
    pd.testing.assert_frame_equal(
        got, pd.read_parquet(table, filters=[("school_id", "in", ["22CC22"])]))
    assert table_cache.cached_megabytes() == 0


def test_least_recently_used_table_leaves_first(tmp_path, monkeypatch):
    frame = pd.DataFrame({"key": np.arange(20_000) % 7, "value": np.arange(20_000.0)})
    paths = [tmp_path / f"t{i}.parquet" for i in range(3)]
    for path in paths:
        write(path, frame, row_group_size=5_000)
    one_table = frame.memory_usage(index=True, deep=True).sum() / 2**20
    monkeypatch.setenv(table_cache.LIMIT_VARIABLE, str(2.5 * one_table))
    for path in paths:
        table_cache.read_parquet(path, where=("key", [3]))
    assert table_cache.cached_megabytes() == pytest.approx(2 * one_table)


def test_bad_limit_names_the_variable(table, monkeypatch):
    monkeypatch.setenv(table_cache.LIMIT_VARIABLE, "lots")
    with pytest.raises(ValueError, match="NPO_TABLE_CACHE_MB='lots': expected a number"):
        table_cache.read_parquet(table)


@pytest.fixture
def large(monkeypatch):
    """Every table counts as large: read by row group, not kept."""
    monkeypatch.setattr(table_cache, "LARGE_ROWS", 10)


@pytest.mark.parametrize(("column", "values"), [
    ("school_id", ["11BB11"]), ("school_id", ["33DD33", "00AA00"]), ("school_id", ["nowhere"]),
    ("domain", ["lezen"]), ("n", [3, 4, 5])])
def test_large_tables_read_by_row_group_equal_pandas(table, large, column, values):
    expected = pd.read_parquet(table, filters=[(column, "in", values)])
    got = table_cache.read_parquet(table, where=(column, values))
    pd.testing.assert_frame_equal(got, expected)
    got = table_cache.read_parquet(table, columns=["score", "domain"], where=(column, values))
    pd.testing.assert_frame_equal(got, expected[["score", "domain"]])
    assert table_cache.cached_megabytes() == 0  # nothing kept


def test_written_by_group_one_row_group_per_value_and_only_it_is_read(table, large, tmp_path):
    frame = pd.read_parquet(table)
    path = tmp_path / "by_school.parquet"
    table_cache.write_by_group(frame, path, "school_id")
    layout = table_cache._layout(path)
    counts = frame["school_id"].value_counts(dropna=False)
    assert layout.file.metadata.num_row_groups == len(counts) == 5  # 4 schools and missing
    ordered = frame.sort_values("school_id", kind="stable", na_position="last")
    pd.testing.assert_frame_equal(pd.read_parquet(path), ordered.reset_index(drop=True))
    for school in ("00AA00", "22CC22"):
        groups = layout.groups_holding("school_id", [school])
        assert len(groups) == 1
        assert layout.file.metadata.row_group(groups[0]).num_rows == counts[school]
        pd.testing.assert_frame_equal(
            table_cache.read_parquet(path, where=("school_id", [school])),
            frame[frame["school_id"] == school].reset_index(drop=True))


@pytest.mark.parametrize("column", [
    pd.Series(["b", "a", None, "b", "c", "a", "b"], dtype="string"),
    pd.Series(["b", "a", None, "b", "c", "a", "b"], dtype=object),
    pd.Series(pd.Categorical(["b", "a", None, "b", "c", "a", "b"], categories=["a", "b", "c",
                                                                               "unused"])),
])
def test_row_positions_by_hand(column):
    # rows 0..6 hold b, a, <missing>, b, c, a, b: the missing row and the unused category are
    # left out, each value keeps its rows in file order, first-seen values first
    positions = table_cache.row_positions(column)
    assert list(positions) == ["b", "a", "c"]
    assert {k: v.tolist() for k, v in positions.items()} == {"b": [0, 3, 6], "a": [1, 5],
                                                             "c": [4]}


def test_row_positions_equal_groupby_indices():
    rng = np.random.default_rng(3)
    column = pd.Series(rng.choice([f"GM{i:04d}" for i in range(40)] + [None], size=5_000))
    expected = pd.DataFrame({"c": column}).groupby("c", sort=False, dropna=True).indices
    positions = table_cache.row_positions(column)
    assert positions.keys() == expected.keys()
    assert all(np.array_equal(positions[k], expected[k]) for k in expected)


def test_written_sorted_in_groups_of_the_given_size_and_sliced_like_pandas(table, large,
                                                                           tmp_path):
    frame = pd.read_parquet(table)
    path = tmp_path / "sorted.parquet"
    table_cache.write_sorted(frame, path, "school_id", rows_per_group=3)
    metadata = table_cache._layout(path).file.metadata
    assert metadata.num_row_groups == -(-len(frame) // 3)  # ceil: groups of 3 rows
    assert [metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)][:-1] == \
        [3] * (metadata.num_row_groups - 1)
    ordered = frame.sort_values("school_id", kind="stable", na_position="last")
    pd.testing.assert_frame_equal(pd.read_parquet(path), ordered.reset_index(drop=True))
    for school in ("00AA00", "22CC22"):  # ``large``: read by the groups' statistics
        pd.testing.assert_frame_equal(
            table_cache.read_parquet(path, where=("school_id", [school])),
            frame[frame["school_id"] == school].reset_index(drop=True))
