"""Turning expected errors into one clear line and a non-zero exit, without a traceback."""

from __future__ import annotations

import functools
from collections.abc import Callable

import click

from npo_analysis.errors import DatasetError

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

    return wrapper
