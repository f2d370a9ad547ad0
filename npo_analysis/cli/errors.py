"""Turning expected errors into one clear line and a non-zero exit, without a traceback."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

import click

from npo_analysis.errors import DatasetError, OutputWriteError

#: Exit code after Ctrl-C (128 + SIGINT), as shells report it.
INTERRUPTED = 130

#: Exceptions that describe bad input; their message is meant for the user.
USER_ERRORS: tuple[type[Exception], ...] = (DatasetError, FileNotFoundError, ValueError)
#: Operating-system errors about a path the user gave (no permission, a file where a folder
#: was expected ...): shown as ``<path>: <reason>``.
PATH_ERRORS: tuple[type[OSError], ...] = (PermissionError, IsADirectoryError, NotADirectoryError,
                                          FileExistsError)


def user_message(exc: BaseException) -> str:
    """The message shown for a user error: the exception's text, or ``<path>: <reason>``.

    Parameters
    ----------
    exc : BaseException
        The error.

    Returns
    -------
    str
        Never empty: an exception without text is named by its type.

    Examples
    --------
    >>> user_message(PermissionError(13, "Permission denied", "out/index.html"))
    'out/index.html: Permission denied'
    >>> user_message(ValueError())
    'ValueError'
    """
    if isinstance(exc, OSError) and exc.filename is not None and exc.strerror:
        return f"{exc.filename}: {exc.strerror}"
    return str(exc) or type(exc).__name__


def user_errors(func: Callable) -> Callable:
    """Make bad-input errors print as ``Error: <message>`` with exit code 1 (no traceback).

    Parameters
    ----------
    func : callable
        The body of a click command.

    Returns
    -------
    callable
        ``func`` with :data:`USER_ERRORS` and :data:`PATH_ERRORS` turned into
        :class:`click.ClickException`; any other exception is a bug and keeps its traceback.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (*USER_ERRORS, *PATH_ERRORS) as exc:
            raise click.ClickException(user_message(exc)) from exc
        except OutputWriteError as exc:
            raise click.ClickException(str(exc)) from None
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            raise SystemExit(INTERRUPTED) from None

    return wrapper


def require_directory(option: str, path: Path | None) -> None:
    """A directory option (``--data``) must not name a file: one line naming it otherwise (a
    missing directory is reported by the command itself).

    Raises
    ------
    click.UsageError
        When ``path`` is a file.
    """
    if path is None or path.is_dir() or not path.exists():
        return
    raise click.UsageError(f"{option} {path}: is a file, not a directory (expected a dataset "
                           "directory)")


def require_output_directory(option: str, path: Path) -> None:
    """An output-folder option (``--out``) must not name an existing file."""
    if path.exists() and not path.is_dir():
        raise click.UsageError(f"{option} {path}: is a file, not a directory (expected a folder "
                               "for the outputs, created when missing)")


def require_rows(option: str, path: Path) -> None:
    """A CSV option must name a file with at least one row after its header."""
    if path.suffix.lower() != ".csv":
        return
    with path.open("rb") as handle:
        lines = sum(1 for line in handle if line.strip())
    if lines < 2:
        raise click.UsageError(f"{option} {path}: " + ("empty file" if lines == 0 else
                               "only a header row, no data rows") + " (expected one row per "
                               "school location)")
