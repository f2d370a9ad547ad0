"""Atomic writes: a failed write never damages the previous output and leaves no debris."""

from __future__ import annotations

import os
import stat

import pytest

from npo_analysis.atomic import (
    atomic_directory,
    atomic_path,
    write_bytes_atomic,
    write_text_atomic,
)


class Boom(Exception):
    """Raised inside a write block to simulate a failure."""


def test_atomic_path_replaces_the_file_on_success(tmp_path):
    target = tmp_path / "out" / "report.txt"
    with atomic_path(target) as tmp:
        assert tmp.parent == target.parent and tmp != target
        tmp.write_text("new", encoding="utf-8")
        assert not target.exists()  # nothing visible under the final name before the end
    assert target.read_text(encoding="utf-8") == "new"
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.txt"]


def test_atomic_path_keeps_the_old_file_when_the_block_raises(tmp_path):
    target = tmp_path / "report.txt"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(Boom), atomic_path(target) as tmp:
        tmp.write_text("half", encoding="utf-8")
        raise Boom
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.txt"]


def test_atomic_path_suffix_is_kept_for_writers_that_need_it(tmp_path):
    with atomic_path(tmp_path / "table.parquet", suffix=".parquet") as tmp:
        assert tmp.name.endswith(".parquet.tmp")
        tmp.write_bytes(b"x")


def test_write_text_and_bytes(tmp_path):
    write_text_atomic(tmp_path / "a.txt", "één")
    write_bytes_atomic(tmp_path / "b.bin", b"\x00\x01")
    assert (tmp_path / "a.txt").read_bytes() == "één".encode()
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\x01"


def _fill(directory, files):
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")


def _content(directory):
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(directory.iterdir())}


def test_atomic_directory_replaces_the_directory_only_on_success(tmp_path):
    target = tmp_path / "dataset"
    target.mkdir()
    _fill(target, {"old.parquet": "old", "dataset.json": "{}"})
    with atomic_directory(target) as tmp:
        _fill(tmp, {"new.parquet": "new"})
        assert _content(target) == {"dataset.json": "{}", "old.parquet": "old"}
    assert _content(target) == {"new.parquet": "new"}
    assert [p.name for p in tmp_path.iterdir()] == ["dataset"]


def test_atomic_directory_leaves_the_old_directory_when_the_block_raises(tmp_path):
    target = tmp_path / "dataset"
    target.mkdir()
    _fill(target, {"old.parquet": "old"})
    with pytest.raises(Boom), atomic_directory(target) as tmp:
        _fill(tmp, {"new.parquet": "half"})
        raise Boom
    assert _content(target) == {"old.parquet": "old"}
    assert [p.name for p in tmp_path.iterdir()] == ["dataset"]


def test_atomic_directory_creates_a_new_directory(tmp_path):
    target = tmp_path / "deep" / "dataset"
    with atomic_directory(target) as tmp:
        _fill(tmp, {"a.txt": "a"})
    assert _content(target) == {"a.txt": "a"}


def test_atomic_directory_failure_without_old_directory_leaves_nothing(tmp_path):
    target = tmp_path / "dataset"
    with pytest.raises(Boom), atomic_directory(target) as tmp:
        _fill(tmp, {"a.txt": "a"})
        raise Boom
    assert list(tmp_path.iterdir()) == []


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_outputs_get_the_usual_permissions_not_those_of_temporary_files(tmp_path):
    write_text_atomic(tmp_path / "a.txt", "a")
    with atomic_directory(tmp_path / "dataset") as tmp:
        _fill(tmp, {"b.txt": "b"})
    assert stat.S_IMODE((tmp_path / "a.txt").stat().st_mode) == 0o666 & ~_umask()
    assert stat.S_IMODE((tmp_path / "dataset").stat().st_mode) == 0o777 & ~_umask()
