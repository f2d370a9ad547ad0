"""Content hashes of inputs, to decide whether cached outputs are still valid.

Hashes are SHA-256 hex digests of file *contents* and relative names (never of modification
times), so a copy of the same data in another directory, or a fresh clone, hashes the same.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

_CHUNK = 1 << 20


def file_sha256(path: str | Path) -> str:
    """Return the SHA-256 hex digest of a file's bytes.

    Parameters
    ----------
    path : path-like
        The file.

    Returns
    -------
    str
        64 hexadecimal characters.
    """
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def files_sha256(files: Iterable[Path], root: str | Path) -> str:
    """Return one digest over several files: their names relative to ``root`` and contents.

    Parameters
    ----------
    files : iterable of pathlib.Path
        The files (order does not matter: they are sorted by relative name).
    root : path-like
        Directory the names are taken relative to.

    Returns
    -------
    str
        SHA-256 hex digest; the same for the same names and contents.
    """
    root = Path(root)
    entries = sorted((Path(f).relative_to(root).as_posix(), file_sha256(f)) for f in files)
    return json_sha256(entries)


def directory_sha256(directory: str | Path, pattern: str = "*") -> str:
    """Digest of every regular, non-hidden file in ``directory`` matching ``pattern``.

    Parameters
    ----------
    directory : path-like
        The directory (not searched recursively).
    pattern : str
        Glob pattern of the files to include.

    Returns
    -------
    str
        See :func:`files_sha256`.
    """
    directory = Path(directory)
    files = [p for p in directory.glob(pattern) if p.is_file() and not p.name.startswith(".")]
    return files_sha256(files, directory)


def json_sha256(value) -> str:
    """Digest of a JSON-serialisable value (keys sorted, so dict order does not matter).

    Parameters
    ----------
    value : object
        Anything :func:`json.dumps` accepts (paths and other objects are turned into ``str``).

    Returns
    -------
    str
        SHA-256 hex digest.
    """
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
