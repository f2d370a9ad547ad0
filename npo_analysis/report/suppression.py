"""Disclosure control decided per table: primary and secondary (complementary) suppression.

A count of a background-defined group of children below 10 (target-group pupils, toddlers with
a VE indication or place ...) is never shown, and neither is a total of 1-9 children (pupils of
a school, children of a neighbourhood). Hiding those cells alone is not enough: a hidden cell
can come back by arithmetic from what is shown beside it. :func:`hidden_cells` therefore decides
for a whole table, with the complementary-cell rules statistical offices apply:

1. **primary**: counts below 10 (:attr:`TableRule.counts`) and totals of 1-9 children
   (:attr:`TableRule.totals`);
2. **differences**: where ``whole - part`` (:attr:`TableRule.pairs`, e.g. indicated - placed)
   counts 1-9 children, ``part`` is hidden too;
3. **column totals**: the municipality's total of a column is published (key figures), so a
   column with exactly one hidden cell gets a second one, its smallest shown value (ties by the
   table's ``key`` column, so every table with the same rows hides the same cells);
4. **shares**: a share (:attr:`TableRule.shares`) is hidden when its numerator or its
   denominator is, or when its denominator counts fewer than 10 children; figures derived from a
   share (:attr:`TableRule.derived`, e.g. its interval) follow it.

Hidden cells show ``<10`` when their value is below 10, else ``x`` (:func:`shown_count`); the
workbook writes the same texts, and shares and means rounded as the page shows them
(:func:`rounded`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from npo_analysis.formatting import DISCLOSURE_LIMIT, format_count

#: Shown for a hidden count of 10 or more (secondary suppression).
SECONDARY = "x"
#: Shown for a hidden count below 10.
PRIMARY = f"<{DISCLOSURE_LIMIT}"


@dataclass(frozen=True)
class TableRule:
    """Which columns of a table are protected and how they depend on each other.

    Attributes
    ----------
    key : str
        A column that identifies a row (ties of the column-total rule are broken by it).
    counts : tuple of str
        Counts of background-defined groups (hidden below 10, 0 included).
    totals : tuple of str
        Counts of children of any background (hidden when 1-9).
    pairs : tuple of (str, str)
        ``(whole, part)``: ``whole - part`` counts a background-defined group.
    shares : dict of str to (str, str)
        ``share -> (numerator, denominator)``.
    derived : dict of str to str
        Column -> the share it is derived from (hidden with it).
    """

    key: str
    counts: tuple[str, ...] = ()
    totals: tuple[str, ...] = ()
    pairs: tuple[tuple[str, str], ...] = ()
    shares: dict[str, tuple[str, str]] = field(default_factory=dict)
    derived: dict[str, str] = field(default_factory=dict)


def _values(frame: pd.DataFrame, column: str) -> np.ndarray:
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)


def hidden_cells(frame: pd.DataFrame, rule: TableRule, limit: int = DISCLOSURE_LIMIT,
                 preset: dict | None = None) -> pd.DataFrame:
    """Which cells of ``frame`` must not be shown (see the module docstring for the rules).

    Parameters
    ----------
    frame : pandas.DataFrame
        A table of numbers (one row per school, neighbourhood ...); columns of ``rule`` that it
        lacks are skipped.
    rule : TableRule
        The table's protected columns.
    limit : int
        The disclosure limit (10).
    preset : dict of str to array-like of bool, optional
        Cells hidden already (another table's decision about the same rows), per column.

    Returns
    -------
    pandas.DataFrame
        Booleans, one column per protected column of ``rule`` present in ``frame``.

    Examples
    --------
    >>> frame = pd.DataFrame({"id": ["a", "b", "c"], "indicated": [20, 30, 40],
    ...                       "placed": [15, 30, 12]})
    >>> rule = TableRule("id", counts=("indicated", "placed"), pairs=(("indicated", "placed"),))
    >>> hidden_cells(frame, rule)["placed"].tolist()  # 20 - 15 = 5: hidden, and a second one
    [True, False, True]
    """
    present = set(frame.columns)
    counts = [c for c in (*rule.counts, *rule.totals) if c in present]
    hidden = {c: np.zeros(len(frame), dtype=bool) for c in counts}
    for column in rule.counts:
        if column in present:
            values = _values(frame, column)
            hidden[column] |= ~np.isnan(values) & (values < limit)
    for column in rule.totals:
        if column in present:
            values = _values(frame, column)
            hidden[column] |= (values > 0) & (values < limit)
    for column, mask in (preset or {}).items():
        if column in hidden:
            hidden[column] |= np.asarray(mask, dtype=bool)
    for whole, part in rule.pairs:
        if whole in present and part in present:
            difference = _values(frame, whole) - _values(frame, part)
            hidden[part] |= (difference > 0) & (difference < limit)
    order = np.argsort(frame[rule.key].astype(str).to_numpy(), kind="stable") \
        if rule.key in present else np.arange(len(frame))
    for column in counts:
        _complement(hidden[column], _values(frame, column), order)
    for share, (numerator, denominator) in rule.shares.items():
        if share not in present:
            continue
        mask = np.zeros(len(frame), dtype=bool)
        for column in (numerator, denominator):
            if column in hidden:
                mask |= hidden[column]
        if denominator in present:
            mask |= _values(frame, denominator) < limit
        hidden[share] = mask
    for column, share in rule.derived.items():
        if column in present and share in hidden:
            hidden[column] = hidden[share].copy()
    return pd.DataFrame(hidden, index=frame.index)


def _complement(mask: np.ndarray, values: np.ndarray, order: np.ndarray) -> None:
    """Hide a second cell of a column with exactly one hidden cell (its smallest shown value)."""
    if len(mask) < 2 or mask.sum() != 1:
        return
    candidates = [i for i in order if not mask[i] and not np.isnan(values[i])]
    if candidates:
        mask[min(candidates, key=lambda i: values[i])] = True


def with_hidden(frame: pd.DataFrame, rule: TableRule) -> pd.DataFrame:
    """``frame`` with a boolean column ``hidden_<column>`` per protected column.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table.
    rule : TableRule
        Its protected columns.

    Returns
    -------
    pandas.DataFrame
    """
    mask = hidden_cells(frame, rule)
    return frame.assign(**{f"hidden_{c}": mask[c].to_numpy() for c in mask.columns})


def is_hidden(row, column: str, fallback: str | None = None) -> bool:
    """Whether ``row`` (a namedtuple of :func:`with_hidden`'s frame) hides ``column``.

    A row without the decision (a table not passed through :func:`with_hidden`) hides the
    count ``fallback`` (default ``column``) when it is below 10.
    """
    decided = getattr(row, f"hidden_{column}", None)
    if decided is not None:
        return bool(decided)
    value = getattr(row, fallback or column)
    return value is not None and not pd.isna(value) and float(value) < DISCLOSURE_LIMIT


def shown_count(value, hidden: bool, language: str = "nl") -> str:
    """A count as the page shows it: ``<10`` or ``x`` when hidden, else the formatted count.

    Examples
    --------
    >>> shown_count(7, True), shown_count(45, True), shown_count(1234, False)
    ('<10', 'x', '1.234')
    """
    if not hidden:
        return format_count(value, language)
    return PRIMARY if float(value) < DISCLOSURE_LIMIT else SECONDARY


def workbook_counts(values, hidden) -> list:
    """Counts as the workbook stores them: ``<10`` / ``x`` when hidden, else whole numbers."""
    out = []
    for value, hide in zip(values, hidden, strict=True):
        if value is None or pd.isna(value):
            out.append(None)
        elif hide:
            out.append(PRIMARY if float(value) < DISCLOSURE_LIMIT else SECONDARY)
        else:
            out.append(int(round(float(value))))
    return out


def rounded(values, hidden=None, decimals: int = 2) -> list:
    """Figures rounded as the page shows them (a share shown as ``70%`` is 0.70), ``None`` when
    hidden or missing.

    Parameters
    ----------
    values : array-like
        Shares (fractions) or means.
    hidden : array-like of bool, optional
        Cells not to show.
    decimals : int
        Decimals of the stored fraction: a percentage with 0 decimals is a fraction with 2.

    Returns
    -------
    list
    """
    values = list(values)
    hidden = [False] * len(values) if hidden is None else list(hidden)
    return [None if hide or v is None or pd.isna(v) else round(float(v), decimals)
            for v, hide in zip(values, hidden, strict=True)]


#: Neighbourhood tables (the neighbourhood table and the VE reach table share these columns).
NEIGHBOURHOOD_RULE = TableRule(
    key="neighbourhood_code",
    counts=("target_pupils", "target_toddlers", "ve_indicated", "ve_placed"),
    totals=("children_0_3", "children_4_11"),
    pairs=(("ve_indicated", "ve_placed"),),
    shares={"ve_reach": ("ve_placed", "ve_indicated")},
    derived={"reach_low": "ve_reach", "reach_high": "ve_reach", "below_norm": "ve_reach"})
#: School tables.
SCHOOL_RULE = TableRule(key="school_id", counts=("target_pupils",), totals=("pupils",),
                        shares={"target_share": ("target_pupils", "pupils")})
