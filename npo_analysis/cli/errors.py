"""Turning expected errors into one clear line and a non-zero exit, without a traceback."""

from __future__ import annotations

import functools
from collections.abc import Callable

import click

from npo_analysis.dataset import DatasetError

#: Exceptions that describe bad input; their message is meant for the user.
USER_ERRORS: tuple[type[Exception], ...] = (DatasetError, FileNotFoundError, ValueError)


def user_errors(func: Callable) -> Callable:
    """Make bad-input errors print as ``Error: <message>`` with exit code 1 (no traceback)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except USER_ERRORS as exc:
            raise click.ClickException(str(exc)) from exc

    return wrapper
