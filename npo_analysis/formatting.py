"""Numbers as a municipality reads them: Dutch separators, euro signs, percentages, suppression.

Dutch (``language="nl"``, the default) writes a thousands dot and a decimal comma:
``€ 1.234.567``, ``12,3%``, ``1.234,5``. English (``language="en"``) writes ``€1,234,567``,
``12.3%``, ``1,234.5``. Rounding is half-up on the decimal value as written (``0.05`` to one
decimal is ``0.1``, ``2.675`` to two is ``2.68``), not Python's banker's rounding of the binary
float. A missing value (``None``, ``NaN``, ``pd.NA``) is shown as an en dash ``–``.

Disclosure (``../shared/domain.md`` section 7): a count of a group of children defined by their
background (target group, VE indication) is never shown below 10; :func:`suppress_small` shows
``<10`` instead.
"""

from __future__ import annotations

import math
import numbers
from decimal import ROUND_HALF_UP, Decimal

#: What a missing value looks like in a report.
MISSING = "–"
#: Smallest count of a background-defined group that may be shown (common output rule).
DISCLOSURE_LIMIT = 10
LANGUAGES: tuple[str, ...] = ("nl", "en")
_SEPARATORS = {"nl": (".", ","), "en": (",", ".")}  # (thousands, decimal)


def check_language(language: str) -> str:
    """Return ``language`` when it is supported, else raise a ``ValueError`` naming it.

    Parameters
    ----------
    language : str
        ``"nl"`` or ``"en"``.

    Returns
    -------
    str
        The language, unchanged.
    """
    if language not in LANGUAGES:
        raise ValueError(f"language={language!r}: expected one of {list(LANGUAGES)}")
    return language


def is_missing(value) -> bool:
    """Whether ``value`` is ``None``, a float NaN or ``pandas.NA``.

    Parameters
    ----------
    value : object
        Any scalar.

    Returns
    -------
    bool
    """
    if value is None:
        return True
    if isinstance(value, float):
        return value != value  # NaN is the only float unequal to itself
    if isinstance(value, str | int):
        return False
    if type(value).__name__ == "NAType":  # pandas.NA without importing pandas
        return True
    try:
        return math.isnan(value)
    except TypeError:
        return False


def round_half_up(value, decimals: int = 0) -> Decimal:
    """Round a number half-up on its decimal representation.

    Parameters
    ----------
    value : int, float, Decimal or numpy number
        A finite number.
    decimals : int
        Number of decimals to keep (>= 0).

    Returns
    -------
    decimal.Decimal
        The rounded value; ``-0`` becomes ``0``.

    Examples
    --------
    >>> str(round_half_up(0.05, 1)), str(round_half_up(2.675, 2)), str(round_half_up(-2.5))
    ('0.1', '2.68', '-3')
    """
    if decimals < 0:
        raise ValueError(f"decimals={decimals!r}: expected a whole number >= 0")
    if isinstance(value, Decimal):
        exact = value
    elif isinstance(value, numbers.Integral):
        exact = Decimal(int(value))
    else:
        exact = Decimal(repr(float(value)))
    if not exact.is_finite():
        raise ValueError(f"value={value!r}: expected a finite number")
    rounded = exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return rounded if rounded != 0 else abs(rounded)


def _digits(value, decimals: int, language: str) -> str:
    """The rounded absolute value with the language's separators, and its sign."""
    thousands, decimal_mark = _SEPARATORS[check_language(language)]
    rounded = round_half_up(value, decimals)
    sign = "-" if rounded < 0 else ""
    whole, _, fraction = f"{abs(rounded):.{decimals}f}".partition(".")
    grouped = f"{int(whole):,}".replace(",", thousands)
    return sign + grouped + (decimal_mark + fraction if decimals else "")


def format_number(value, decimals: int = 0, language: str = "nl") -> str:
    """Format a number with the language's thousands and decimal separators.

    Parameters
    ----------
    value : number or None
        The number; missing values give :data:`MISSING`.
    decimals : int
        Decimals shown (rounded half-up).
    language : {"nl", "en"}
        Dutch ``1.234,5`` or English ``1,234.5``.

    Returns
    -------
    str

    Examples
    --------
    >>> format_number(1234.5, decimals=1), format_number(1234.5, 1, language="en")
    ('1.234,5', '1,234.5')
    """
    if is_missing(value):
        return MISSING
    return _digits(value, decimals, language)


def format_count(value, language: str = "nl") -> str:
    """Format a whole count: ``1.234`` (nl) or ``1,234`` (en); missing gives :data:`MISSING`.

    Parameters
    ----------
    value : number or None
        The count.
    language : {"nl", "en"}
        Language of the separators.

    Returns
    -------
    str
    """
    return format_number(value, 0, language)


def format_eur(value, decimals: int = 0, language: str = "nl") -> str:
    """Format an amount in euros: ``€ 1.234.567`` (nl), ``€1,234,567`` (en).

    A negative amount puts the minus after the euro sign in Dutch (``€ -1.234``) and before it in
    English (``-€1,234``).

    Parameters
    ----------
    value : number or None
        Amount in euros; missing gives :data:`MISSING`.
    decimals : int
        Decimals shown (0 for whole euros, 2 for cents).
    language : {"nl", "en"}
        Language of the separators and sign placement.

    Returns
    -------
    str

    Examples
    --------
    >>> format_eur(1234567), format_eur(1234567, language="en"), format_eur(-12.5, 2)
    ('€ 1.234.567', '€1,234,567', '€ -12,50')
    """
    if is_missing(value):
        return MISSING
    digits = _digits(value, decimals, language)
    if language == "nl":
        return f"€ {digits}"
    return f"-€{digits[1:]}" if digits.startswith("-") else f"€{digits}"


def format_pct(value, decimals: int = 1, language: str = "nl") -> str:
    """Format a fraction as a percentage: ``0.123`` -> ``12,3%`` (nl), ``12.3%`` (en).

    Parameters
    ----------
    value : number or None
        A fraction (``0.123`` is 12.3%); missing gives :data:`MISSING`.
    decimals : int
        Decimals of the percentage.
    language : {"nl", "en"}
        Language of the decimal mark.

    Returns
    -------
    str

    Examples
    --------
    >>> format_pct(0.123), format_pct(0.123, language="en"), format_pct(0.5, 0)
    ('12,3%', '12.3%', '50%')
    """
    if is_missing(value):
        return MISSING
    percent = Decimal(repr(float(value))) * 100
    return _digits(percent, decimals, language) + "%"


def suppress_small(n, limit: int = DISCLOSURE_LIMIT, language: str = "nl") -> str:
    """Format a count of a background-defined group, hiding counts below ``limit``.

    Parameters
    ----------
    n : int or None
        The count (e.g. target-group pupils of one school).
    limit : int
        Smallest count that may be shown (10 by the common output rule for microdata).
    language : {"nl", "en"}
        Language of the separators.

    Returns
    -------
    str
        ``"<10"`` when ``n < limit`` (zero included), the formatted count otherwise, and
        :data:`MISSING` for a missing value.

    Examples
    --------
    >>> suppress_small(7), suppress_small(0), suppress_small(1234)
    ('<10', '<10', '1.234')
    """
    if is_missing(n):
        return MISSING
    if n < limit:
        return f"<{limit}"
    return format_count(n, language)


def is_suppressed(n, limit: int = DISCLOSURE_LIMIT) -> bool:
    """Whether a count of a background-defined group must be hidden (``n < limit``).

    Parameters
    ----------
    n : int
        The count.
    limit : int
        Smallest count that may be shown.

    Returns
    -------
    bool
    """
    return not is_missing(n) and n < limit


_MONTHS = {
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
           "september", "oktober", "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
}


def format_date(value, language: str = "nl") -> str:
    """Format a date in words: ``1 februari 2025`` (nl), ``1 February 2025`` (en).

    Parameters
    ----------
    value : datetime.date or str
        A date or an ISO ``YYYY-MM-DD`` text; missing gives :data:`MISSING`.
    language : {"nl", "en"}
        Language of the month name.

    Returns
    -------
    str

    Examples
    --------
    >>> format_date("2025-02-01"), format_date("2022-10-01", language="en")
    ('1 februari 2025', '1 October 2022')
    """
    import datetime as dt

    if is_missing(value):
        return MISSING
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"date {value!r}: expected YYYY-MM-DD") from None
    return f"{value.day} {_MONTHS[check_language(language)][value.month - 1]} {value.year}"
