"""Exception types shared across the package, in a module that imports nothing heavy.

The command line names them when it turns bad input into one clear line
(:mod:`npo_analysis.cli.errors`); keeping them here lets ``npo-analysis`` start without loading
pandas first.
"""

from __future__ import annotations


class DatasetError(Exception):
    """A dataset directory cannot be read: missing directory, file or metadata."""


class OutputWriteError(Exception):
    """Writing an output failed (a full disk, no permission ...): one line for the user.

    Parameters
    ----------
    path : pathlib.Path or str
        The file or folder being written.
    reason : str
        The operating system's reason (``No space left on device``).
    written : int
        Bytes the run had written before the error.
    """

    def __init__(self, path, reason: str, written: int) -> None:
        self.path, self.reason, self.written = path, reason, written
        megabytes = f"{written / 1e6:.1f} MB" if written >= 1e5 else f"{written} bytes"
        super().__init__(f"{path}: {reason} ({megabytes} of this run written before the error; "
                         "the previous runs and 'latest' are unchanged)")
