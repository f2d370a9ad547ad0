"""Peers and trends: a municipality against the Netherlands, its province and its peers.

**Peer group.** The ``k`` (default 10) municipalities nearest to it in four characteristics:
size (natural log of the number of pupils, or of the population with ``size_column=
"population"``), the share of children in the target group, the CBS urbanity class (1-5) and the
share of low-income households. Each characteristic is standardised over all municipalities of
the profile (z-score: minus the mean, divided by the standard deviation with ``ddof=0``; a
constant characteristic becomes 0), so each weighs equally; the distance is Euclidean on the
z-scores. The municipality itself is never its own peer; ties are broken by municipality code.
:func:`peer_rule` states the rule in plain Dutch.

**Comparison.** Each headline indicator (:data:`HEADLINE_INDICATORS`) is shown for the
municipality, the Netherlands (all municipalities of the profile), its province (including
itself) and its peers (pooled), plus the median and mean of the peers' own values. Pooled values
are computed from totals: counts and amounts are sums, a ratio is the ratio of the sums
(``target_share = sum(target_children) / sum(children)``), a mean of a municipal attribute is
weighted (``low_income_share`` by population).

**Trends.** Three method breaks make figures before and after them incomparable
(``../shared/domain.md`` section 7): :func:`method_breaks` lists them per count year;
:func:`annotate_breaks` flags the points of a trend that follow a break.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from npo_analysis.formatting import (
    check_language,
    format_count,
    format_eur,
    format_number,
    format_pct,
)

#: Default size of a peer group.
DEFAULT_K = 10
#: Characteristics of the peer rule, after standardisation (``size`` is the log of pupils or
#: population).
PEER_FEATURES: tuple[str, ...] = ("size", "target_share", "urbanity", "low_income_share")
#: Columns of :func:`municipality_features`, in order.
FEATURE_COLUMNS = ["municipality_code", "name", "province", "population", "urbanity",
                   "low_income_share", "pupils", "toddlers", "children", "target_children",
                   "target_share"]


def municipality_features(municipalities: pd.DataFrame, municipality_scores: pd.DataFrame
                          ) -> pd.DataFrame:
    """The characteristics of every municipality that the peer rule and comparisons use.

    Parameters
    ----------
    municipalities : pandas.DataFrame
        The dataset's ``municipalities`` table.
    municipality_scores : pandas.DataFrame
        The indicator's municipal scores (``municipality_code``, ``pupils``, ``toddlers``,
        ``target_children``); municipalities absent from it count 0.

    Returns
    -------
    pandas.DataFrame
        :data:`FEATURE_COLUMNS`, sorted by code. ``children = pupils + toddlers``;
        ``target_share = target_children / children`` (NaN when there are no children).
    """
    scores = municipality_scores.set_index("municipality_code")
    frame = municipalities.sort_values("municipality_code", kind="stable").reset_index(drop=True)
    for column in ("pupils", "toddlers", "target_children"):
        frame[column] = scores[column].reindex(frame["municipality_code"]).fillna(0).to_numpy()
    frame["children"] = frame["pupils"] + frame["toddlers"]
    frame["target_share"] = _ratio(frame["target_children"], frame["children"])
    return frame[FEATURE_COLUMNS]


def _ratio(numerator, denominator) -> np.ndarray:
    """Elementwise ratio, NaN where the denominator is not positive."""
    num = np.asarray(numerator, dtype=float)
    den = np.asarray(denominator, dtype=float)
    return np.divide(num, den, out=np.full(num.shape, np.nan), where=den > 0)


# --- Peer groups --------------------------------------------------------------------------------


def standardised_features(profile: pd.DataFrame, size_column: str = "pupils") -> pd.DataFrame:
    """The z-scores of :data:`PEER_FEATURES` of every municipality, indexed by code.

    Parameters
    ----------
    profile : pandas.DataFrame
        One row per municipality with ``municipality_code``, ``size_column``, ``target_share``,
        ``urbanity`` and ``low_income_share``.
    size_column : {"pupils", "population"}
        The size measure; its natural log is standardised.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`PEER_FEATURES`, mean 0 and sd 1 each (0 for a constant column).

    Raises
    ------
    ValueError
        On a missing column, a repeated code, a size that is not positive or a missing value,
        naming the municipality.
    """
    needed = ["municipality_code", size_column, "target_share", "urbanity", "low_income_share"]
    missing = [c for c in needed if c not in profile.columns]
    if missing:
        raise ValueError(f"profile: missing column(s) {missing}; it has {list(profile.columns)}")
    codes = profile["municipality_code"]
    if codes.isna().any() or codes.duplicated().any():
        raise ValueError("profile: 'municipality_code' must be unique and filled")
    raw = pd.DataFrame({
        "size": profile[size_column].to_numpy(dtype=float),
        "target_share": profile["target_share"].to_numpy(dtype=float),
        "urbanity": profile["urbanity"].to_numpy(dtype=float),
        "low_income_share": profile["low_income_share"].to_numpy(dtype=float),
    }, index=pd.Index(codes.to_numpy(dtype=object), name="municipality_code"))
    # a public school-level import knows neither: compare on the characteristics that exist
    raw = raw.drop(columns=[c for c in ("urbanity", "low_income_share") if raw[c].isna().all()])
    bad = raw.isna().any(axis=1) | (raw["size"] <= 0)
    if bad.any():
        code = raw.index[bad.to_numpy()][0]
        raise ValueError(f"profile: municipality {code!r} has a missing characteristic or "
                         f"{size_column} <= 0; expected {size_column} > 0 and every peer "
                         f"characteristic filled")
    raw["size"] = np.log(raw["size"])
    sd = raw.std(ddof=0).replace(0.0, 1.0)
    return (raw - raw.mean()) / sd


def peer_groups(profile: pd.DataFrame, k: int = DEFAULT_K, size_column: str = "pupils"
                ) -> pd.DataFrame:
    """The peer group of every municipality (see the module docstring for the rule).

    Parameters
    ----------
    profile : pandas.DataFrame
        See :func:`standardised_features`.
    k : int
        Peers per municipality (fewer when the profile has fewer other municipalities).
    size_column : {"pupils", "population"}
        The size measure.

    Returns
    -------
    pandas.DataFrame
        ``municipality_code``, ``peer_code``, ``rank`` (1 = nearest), ``distance``; sorted by
        municipality and rank.
    """
    if int(k) != k or k < 1:
        raise ValueError(f"k={k!r}: expected a whole number of peers >= 1")
    z = standardised_features(profile, size_column)
    codes = z.index.to_numpy(dtype=object)
    values = z.to_numpy(dtype=float)
    distance = np.sqrt(((values[:, None, :] - values[None, :, :]) ** 2).sum(axis=2))
    n = len(codes)
    pairs = pd.DataFrame({"municipality_code": np.repeat(codes, n),
                          "peer_code": np.tile(codes, n),
                          "distance": distance.ravel()})
    pairs = pairs[pairs["municipality_code"] != pairs["peer_code"]]
    pairs = pairs.sort_values(["municipality_code", "distance", "peer_code"], kind="stable")
    pairs["rank"] = pairs.groupby("municipality_code", sort=False).cumcount() + 1
    pairs = pairs[pairs["rank"] <= k]
    return pairs[["municipality_code", "peer_code", "rank", "distance"]].reset_index(drop=True)


def peers_of(profile: pd.DataFrame, code: str, k: int = DEFAULT_K,
             size_column: str = "pupils") -> list[str]:
    """The peer codes of one municipality, nearest first.

    Parameters
    ----------
    profile : pandas.DataFrame
        See :func:`standardised_features`.
    code : str
        The municipality.
    k : int
        Peer group size.
    size_column : {"pupils", "population"}
        The size measure.

    Returns
    -------
    list of str
        The same peers, in the same order, as ``code``'s rows of :func:`peer_groups` (only its
        own row of distances is computed).
    """
    if code not in set(profile["municipality_code"]):
        raise ValueError(f"municipality_code={code!r} is not in the profile")
    if int(k) != k or k < 1:
        raise ValueError(f"k={k!r}: expected a whole number of peers >= 1")
    z = standardised_features(profile, size_column)
    values = z.to_numpy(dtype=float)
    own = z.index.get_loc(code)
    distance = np.sqrt(((values[own] - values) ** 2).sum(axis=1))  # = the row of peer_groups
    others = sorted((d, peer) for peer, d in zip(z.index, distance.tolist(), strict=True)
                    if peer != code)
    return [peer for _, peer in others[:int(k)]]


#: How :func:`peer_rule` names each characteristic, (Dutch, English); ``{size}`` is the size unit.
_FEATURE_WORDS: dict[str, tuple[str, str]] = {
    "size": ("de omvang (aantal {size}, op logaritmische schaal)",
             "size (number of {size}, log scale)"),
    "target_share": ("het aandeel kinderen in de doelgroep",
                     "the share of children in the target group"),
    "urbanity": ("de stedelijkheid", "urbanity"),
    "low_income_share": ("het aandeel huishoudens met een laag inkomen",
                         "the share of low-income households"),
}
_COUNT_WORDS = {1: ("één", "one"), 2: ("twee", "two"), 3: ("drie", "three"), 4: ("vier", "four")}


def peer_rule(k: int = DEFAULT_K, size_column: str = "pupils", language: str = "nl",
              characteristics: tuple[str, ...] = PEER_FEATURES) -> str:
    """The peer rule in one plain sentence.

    Parameters
    ----------
    k : int
        Peer group size.
    size_column : {"pupils", "population"}
        The size measure.
    language : {"nl", "en"}
        Language of the sentence.
    characteristics : tuple of str
        The characteristics of :data:`PEER_FEATURES` the peers were chosen on, in that order
        (:func:`standardised_features` leaves out ``urbanity`` and ``low_income_share`` when no
        municipality has them, as in a public dataset); default all four.

    Returns
    -------
    str

    Raises
    ------
    ValueError
        For an unknown size column or characteristic, or no characteristic at all.

    Examples
    --------
    >>> peer_rule(10)[:47]
    'De vergelijkbare gemeenten zijn de 10 gemeenten'
    >>> peer_rule(5, language="en", characteristics=("size", "target_share"))[68:151]
    'in two equally weighted characteristics: size (number of pupils, log scale) and the'
    """
    check_language(language)
    if size_column not in ("pupils", "population"):
        raise ValueError(f"size_column={size_column!r}: expected 'pupils' or 'population'")
    unknown = [c for c in characteristics if c not in PEER_FEATURES]
    if unknown or not characteristics:
        raise ValueError(f"characteristics={characteristics!r}: expected one or more of "
                         f"{', '.join(PEER_FEATURES)}")
    nl = language == "nl"
    size = {"pupils": ("leerlingen", "pupils"), "population": ("inwoners", "inhabitants")}[
        size_column][0 if nl else 1]
    words = [_FEATURE_WORDS[c][0 if nl else 1].format(size=size) for c in characteristics]
    listed = words[0] if len(words) == 1 else (
        ", ".join(words[:-1]) + (" en " if nl else " and ") + words[-1])
    count = _COUNT_WORDS[len(words)][0 if nl else 1]
    if nl:
        noun = "kenmerk dat telt" if len(words) == 1 else "kenmerken die even zwaar tellen"
        return (f"De vergelijkbare gemeenten zijn de {k} gemeenten die het meest op deze gemeente "
                f"lijken in {count} {noun}: {listed}. Elk kenmerk is eerst "
                "gestandaardiseerd over alle gemeenten; de afstand is de gewone (euclidische) "
                "afstand tussen die gestandaardiseerde waarden.")
    noun = "characteristic" if len(words) == 1 else "equally weighted characteristics"
    return (f"The peer municipalities are the {k} municipalities most like this one in {count} "
            f"{noun}: {listed}. Each characteristic is first standardised over all "
            "municipalities; the distance is the ordinary (Euclidean) distance between the "
            "standardised values.")


# --- Comparison with the Netherlands, the province and the peers -------------------------------


@dataclass(frozen=True)
class Indicator:
    """A headline indicator and how a group of municipalities pools it.

    Attributes
    ----------
    name : str
        Indicator name (the column of a municipality's own value for ``sum``).
    pooling : {"sum", "ratio", "weighted_mean"}
        Group value: sum of ``numerator``; sum of ``numerator`` / sum of ``denominator``; or
        mean of ``numerator`` weighted by ``denominator``.
    numerator : str
        Profile column.
    denominator : str
        Profile column (``""`` for ``sum``).
    unit : {"count", "share", "eur", "number"}
        How values are shown.
    label_nl, label_en : str
        What the reader sees.
    """

    name: str
    pooling: str
    numerator: str
    denominator: str
    unit: str
    label_nl: str
    label_en: str

    @property
    def columns(self) -> tuple[str, ...]:
        """The profile columns this indicator needs."""
        return tuple(c for c in (self.numerator, self.denominator) if c)


#: The headline indicators, in report order. Those whose columns a profile lacks are skipped.
HEADLINE_INDICATORS: tuple[Indicator, ...] = (
    Indicator("pupils", "sum", "pupils", "", "count", "Leerlingen", "Pupils"),
    Indicator("target_children", "sum", "target_children", "", "count",
              "Kinderen in de doelgroep", "Children in the target group"),
    Indicator("target_share", "ratio", "target_children", "children", "share",
              "Aandeel kinderen in de doelgroep", "Share of children in the target group"),
    Indicator("low_income_share", "weighted_mean", "low_income_share", "population", "share",
              "Aandeel huishoudens met laag inkomen", "Share of low-income households"),
    Indicator("score", "sum", "score", "", "number", "Gemeentelijke achterstandsscore",
              "Municipal disadvantage score"),
    Indicator("goab_eur", "sum", "goab_eur", "", "eur", "GOAB-budget", "GOAB budget"),
    Indicator("goab_per_target_child", "ratio", "goab_eur", "target_children", "eur",
              "GOAB per doelgroepkind", "GOAB per target child"),
    Indicator("npo_schools_per_pupil", "ratio", "npo_schools_eur", "pupils", "eur",
              "NPO-geld scholen per leerling", "NPO money of schools per pupil"),
)


def pooled_value(rows: pd.DataFrame, indicator: Indicator) -> float:
    """The value of ``indicator`` for a group of municipalities (NaN for an empty group).

    Parameters
    ----------
    rows : pandas.DataFrame
        Profile rows of the group.
    indicator : Indicator

    Returns
    -------
    float
    """
    if rows.empty:
        return float("nan")
    num = rows[indicator.numerator].to_numpy(dtype=float)
    if indicator.pooling == "sum":
        return float(num.sum())
    den = rows[indicator.denominator].to_numpy(dtype=float)
    top = (num * den).sum() if indicator.pooling == "weighted_mean" else num.sum()
    return float(top / den.sum()) if den.sum() > 0 else float("nan")


def own_values(rows: pd.DataFrame, indicator: Indicator) -> np.ndarray:
    """Each municipality's own value of ``indicator`` (the group value of a single row).

    Parameters
    ----------
    rows : pandas.DataFrame
        Profile rows.
    indicator : Indicator

    Returns
    -------
    numpy.ndarray of float
    """
    num = rows[indicator.numerator].to_numpy(dtype=float)
    if indicator.pooling in ("sum", "weighted_mean"):
        return num
    return _ratio(num, rows[indicator.denominator])


def compare(profile: pd.DataFrame, code: str, peers: list[str],
            indicators: tuple[Indicator, ...] | None = None) -> pd.DataFrame:
    """Every headline indicator of a municipality against NL, its province and its peers.

    Parameters
    ----------
    profile : pandas.DataFrame
        One row per municipality with ``municipality_code``, ``province`` and the indicators'
        columns (e.g. :func:`municipality_features`, or the report's municipality profile).
    code : str
        The municipality.
    peers : list of str
        Its peer group (e.g. :func:`peers_of`).
    indicators : tuple of Indicator, optional
        By default every :data:`HEADLINE_INDICATORS` entry whose columns the profile has.

    Returns
    -------
    pandas.DataFrame
        One row per indicator: ``indicator``, ``unit``, ``municipality``, ``netherlands``,
        ``province``, ``peers`` (pooled), ``peers_median``, ``peers_mean``.
    """
    rows = profile[profile["municipality_code"] == code]
    if rows.empty:
        raise ValueError(f"municipality_code={code!r} is not in the profile")
    unknown = sorted(set(peers) - set(profile["municipality_code"]))
    if unknown:
        raise ValueError(f"peers: {unknown} are not in the profile")
    if indicators is None:
        indicators = tuple(i for i in HEADLINE_INDICATORS
                           if all(c in profile.columns for c in i.columns))
    groups = {"municipality": rows, "netherlands": profile,
              "province": profile[profile["province"] == rows["province"].iloc[0]],
              "peers": profile[profile["municipality_code"].isin(peers)]}
    records = []
    for ind in indicators:
        own = own_values(groups["peers"], ind)
        own = own[np.isfinite(own)]
        records.append({"indicator": ind.name, "unit": ind.unit,
                        **{g: pooled_value(r, ind) for g, r in groups.items()},
                        "peers_median": float(np.median(own)) if len(own) else np.nan,
                        "peers_mean": float(np.mean(own)) if len(own) else np.nan})
    return pd.DataFrame(records, columns=["indicator", "unit", "municipality", "netherlands",
                                          "province", "peers", "peers_median", "peers_mean"])


def format_indicator_value(value: float, unit: str, language: str = "nl") -> str:
    """Show a value by its unit (``count``, ``share``, ``eur``, ``number``).

    Parameters
    ----------
    value : float
    unit : str
    language : {"nl", "en"}

    Returns
    -------
    str
    """
    if unit == "share":
        return format_pct(value, 1, language)
    if unit == "eur":
        return format_eur(value, 0, language)
    if unit == "count":
        return format_count(value, language)
    return format_number(value, 0, language)


def describe_position(comparison: pd.DataFrame, indicator: str, language: str = "nl") -> str:
    """One sentence placing the municipality's value beside NL, province and peers.

    Parameters
    ----------
    comparison : pandas.DataFrame
        :func:`compare`.
    indicator : str
        An ``indicator`` of ``comparison`` (best a ratio or share).
    language : {"nl", "en"}

    Returns
    -------
    str
    """
    check_language(language)
    match = comparison[comparison["indicator"] == indicator]
    if match.empty:
        raise ValueError(f"indicator={indicator!r} is not in the comparison")
    row = match.iloc[0]
    label = {i.name: (i.label_nl if language == "nl" else i.label_en)
             for i in HEADLINE_INDICATORS}.get(indicator, indicator)
    show = {g: format_indicator_value(row[g], row["unit"], language)
            for g in ("municipality", "netherlands", "province", "peers_median")}
    if language == "nl":
        word = _direction(row["municipality"], row["peers_median"], ("hoger", "lager", "gelijk"))
        return (f"{label}: {show['municipality']}, tegen {show['netherlands']} in Nederland, "
                f"{show['province']} in de provincie en {show['peers_median']} bij de mediane "
                f"vergelijkbare gemeente ({word}).")
    word = _direction(row["municipality"], row["peers_median"], ("higher", "lower", "equal"))
    return (f"{label}: {show['municipality']}, against {show['netherlands']} in the "
            f"Netherlands, {show['province']} in the province and {show['peers_median']} for the "
            f"median peer ({word}).")


def _direction(value: float, reference: float, words: tuple[str, str, str]) -> str:
    """``words[0]`` when value > reference, ``words[1]`` when lower, else ``words[2]``."""
    if value > reference:
        return words[0]
    return words[1] if value < reference else words[2]


# --- Method breaks ----------------------------------------------------------------------------

#: (count year, key, Dutch text, English text) of each method break, oldest first.
METHOD_BREAKS: tuple[tuple[int, str, str, str], ...] = (
    (2019, "cbs_indicator", "CBS-indicator vervangt de gewichtenregeling",
     "CBS indicator replaces the weights scheme (gewichtenregeling)"),
    (2021, "recalibration", "herijking van de CBS-indicator", "recalibration of the CBS indicator"),
    (2022, "count_date", "teldatum verschuift van 1 oktober naar 1 februari",
     "count date moves from 1 October to 1 February"),
)


def method_breaks(language: str = "nl") -> pd.DataFrame:
    """The method breaks per count year.

    Parameters
    ----------
    language : {"nl", "en"}
        Language of ``text``.

    Returns
    -------
    pandas.DataFrame
        ``count_year`` (first count year under the new method), ``key``, ``text``.
    """
    column = 2 if check_language(language) == "nl" else 3
    return pd.DataFrame({"count_year": [b[0] for b in METHOD_BREAKS],
                         "key": [b[1] for b in METHOD_BREAKS],
                         "text": [b[column] for b in METHOD_BREAKS]})


def annotate_breaks(trend: pd.DataFrame, year_column: str = "year",
                    count_years: dict[int, int] | None = None, language: str = "nl"
                    ) -> pd.DataFrame:
    """Flag the points of a trend that come after a method break.

    A point of year ``y`` gets ``break_before=True`` when a break's count year lies after the
    count year of the previous year on the axis and at or before that of ``y``. The first year
    never does (there is nothing earlier to compare with). A tidy frame with several series
    (e.g. one per municipality) is flagged per year.

    Parameters
    ----------
    trend : pandas.DataFrame
        Any frame with a whole-year column.
    year_column : str
        The axis column.
    count_years : dict, optional
        Axis year -> count year of its figures (e.g. budget year 2023 -> count year 2021); by
        default the axis years are count years.
    language : {"nl", "en"}
        Language of ``break_text``.

    Returns
    -------
    pandas.DataFrame
        A copy with ``break_before`` (bool) and ``break_text`` (the breaks' texts joined by
        ``"; "``, empty when none).
    """
    if year_column not in trend.columns:
        raise ValueError(f"trend: no column {year_column!r}; it has {list(trend.columns)}")
    breaks = method_breaks(language)
    years = sorted(int(y) for y in trend[year_column].dropna().unique())
    counted = [int((count_years or {}).get(y, y)) for y in years]
    texts = {years[0]: ""} if years else {}
    for prev, now, year in zip(counted, counted[1:], years[1:], strict=False):
        hit = breaks[(breaks["count_year"] > prev) & (breaks["count_year"] <= now)]
        texts[year] = "; ".join(f"{c}: {t}" for c, t in zip(hit["count_year"], hit["text"],
                                                              strict=True))
    out = trend.copy()
    out["break_text"] = out[year_column].map(texts).fillna("").astype(str)
    out["break_before"] = out["break_text"] != ""
    return out


#: Default size of the peer group (the benchmark's ``k``).
DEFAULT_PEERS = DEFAULT_K


def default_peers(profile: pd.DataFrame, code: str, k: int = DEFAULT_PEERS) -> list[str]:
    """The ``k`` municipalities nearest to ``code`` (:func:`npo_analysis.domain.peers.peers_of`).

    Parameters
    ----------
    profile : pandas.DataFrame
        :func:`npo_analysis.report.profile.municipality_profile` of every municipality.
    code : str
        The municipality.
    k : int
        Peer group size (fewer when the dataset has fewer other municipalities).

    Returns
    -------
    list of str
        Codes, nearest first (ties by code). Only municipalities with pupils take part (a
        municipality without a school has no target share to compare); such a municipality
        itself has no default peers.
    """
    if k < 1:
        raise ValueError(f"k={k!r}: expected a peer group size >= 1")
    comparable = profile[profile["pupils"] > 0]
    if code not in set(comparable["municipality_code"]):
        return []
    return peers_of(comparable, code, k)


def resolve_peers(profile: pd.DataFrame, code: str, chosen: list[str] | None,
                  k: int = DEFAULT_PEERS) -> tuple[list[str], bool]:
    """The peer group to use: the chosen codes when given, else :func:`default_peers`.

    Parameters
    ----------
    profile : pandas.DataFrame
        Profile of every municipality.
    code : str
        The municipality.
    chosen : list of str or None
        The municipality's own choice (validated codes), or empty / ``None``.
    k : int
        Size of the default group.

    Returns
    -------
    (list of str, bool)
        The peer codes and whether they are the municipality's own choice.
    """
    if chosen:
        return list(chosen), True
    return default_peers(profile, code, k), False


def peer_characteristics(profile: pd.DataFrame) -> tuple[str, ...]:
    """The characteristics of :data:`npo_analysis.domain.peers.PEER_FEATURES` the peer rule uses.

    :func:`npo_analysis.domain.peers.standardised_features` leaves out ``urbanity`` and
    ``low_income_share`` when no municipality of the profile has a value for them.

    Parameters
    ----------
    profile : pandas.DataFrame
        Profile of every municipality.

    Returns
    -------
    tuple of str
        In the order of ``PEER_FEATURES``, e.g. ``("size", "target_share")`` for a public
        dataset.
    """
    optional = ("urbanity", "low_income_share")
    return tuple(c for c in PEER_FEATURES
                 if c not in optional or profile[c].notna().any())
