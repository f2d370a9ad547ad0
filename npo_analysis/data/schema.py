"""The tidy data model: every table of a dataset, its columns, units, keys and rules.

A *dataset* is a directory of Parquet tables (one file per table, ``<table>.parquet``) plus a
``dataset.json`` with its metadata (see :mod:`npo_analysis.data.dataset`). This module is the single
source of truth for what those tables hold: validation (:mod:`npo_analysis.data.validation`), the
Demoland generator and ``docs/data-model.md`` all read it.

Glossary (Dutch term -> name used here): achterstandsscore -> ``disadvantage_score`` / ``score``,
drempel -> ``threshold``, gemeente -> ``municipality``, wijk -> ``neighbourhood``,
vestiging -> ``school`` (a location, identified by its BRIN6), peildatum -> ``count_date``,
bestuur / bevoegd gezag -> ``board``, groep -> ``grade``, onderbouw/bovenbouw -> pupils aged <= 7 /
>= 8 on the count date, VVE -> early-childhood education (``ve_*``), menukaart -> ``interventions``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# --- Category vocabularies ---------------------------------------------------------------------

#: Parents' highest education level, ordered from low to high (CBS indicator categories).
EDUCATION_LEVELS: tuple[str, ...] = (
    "primary",  # basisonderwijs
    "vmbo_mbo1",  # vmbo / mbo-1
    "havo_vwo_mbo24",  # havo, vwo, mbo-2 to mbo-4
    "hbo_wo_bachelor",  # hbo or wo bachelor
    "wo_master",  # wo master or doctorate
)
#: Numeric rank of each education level (1 = lowest), used for the school's mean maternal education.
EDUCATION_RANK: dict[str, int] = {level: i + 1 for i, level in enumerate(EDUCATION_LEVELS)}

#: Parents' country of origin (CBS groups); ``netherlands`` is the reference category.
ORIGINS: tuple[str, ...] = (
    "netherlands",
    "morocco",
    "turkey",
    "suriname_caribbean",
    "other_non_western",
    "refugee_countries",
    "western",
)

#: Bands of the mother's years in the Netherlands used by the indicator model (left-closed).
YEARS_IN_NL_BANDS: tuple[tuple[str, float, float], ...] = (
    ("0_4", 0.0, 4.0),
    ("4_8", 4.0, 8.0),
    ("8_15", 8.0, 15.0),
    ("15_plus", 15.0, float("inf")),
)

DENOMINATIONS: tuple[str, ...] = (
    "Openbaar",
    "Rooms-Katholiek",
    "Protestants-Christelijk",
    "Algemeen bijzonder",
    "Islamitisch",
    "Reformatorisch",
    "Interconfessioneel",
    "Samenwerking",
)
TEST_DOMAINS: tuple[str, ...] = ("rekenen", "begrijpend_lezen", "technisch_lezen", "spelling")
TEST_MOMENTS: tuple[str, ...] = ("midden", "eind")
DEVELOPMENT_DOMAINS: tuple[str, ...] = ("cognitive", "executive", "social", "emotional")
PROVIDER_TYPES: tuple[str, ...] = (
    "library",
    "sport",
    "culture",
    "youth_health",
    "childcare",
    "welfare",
    "school",
)
VVE_LOCATION_TYPES: tuple[str, ...] = ("childcare", "school")
#: Quality domains of a VVE location (``../shared/domain.md`` section 4), each scored 1-4.
VVE_QUALITY_DOMAINS: tuple[str, ...] = (
    "conditions",
    "parental_involvement",
    "educational_process",
    "development_guidance_care",
    "continuous_line",
    "quality_assurance",
    "results",
)
COST_BANDS: tuple[str, ...] = ("Laag", "Gemiddeld", "Hoog")

MUNICIPALITY_CODE = r"^GM[0-9]{4}$"
NEIGHBOURHOOD_CODE = r"^WK[0-9]{6}$"
SCHOOL_ID = r"^[0-9A-Z]{4}[0-9]{2}$"
BOARD_ID = r"^[0-9]{5}$"


# --- Specification classes ---------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of a table.

    Parameters
    ----------
    name : str
        Column name.
    kind : {"string", "int", "float", "bool", "category"}
        Logical type. ``category`` columns hold strings drawn from ``categories``.
    description : str
        Meaning of the column, for people.
    unit : str
        Unit of measurement ("" when it has none).
    nullable : bool
        Whether missing values are allowed.
    minimum, maximum : float, optional
        Inclusive value range for numeric columns.
    pattern : str, optional
        Regular expression every non-missing string value must match in full.
    categories : tuple of str, optional
        Allowed values of a ``category`` column.
    required : bool
        Whether the column must be present. Optional columns are validated when present.
    """

    name: str
    kind: str
    description: str
    unit: str = ""
    nullable: bool = False
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None
    categories: tuple[str, ...] | None = None
    required: bool = True


@dataclass(frozen=True)
class ForeignKey:
    """Values of ``column`` must appear in ``ref_table.ref_column`` (missing values are allowed
    when the column is nullable)."""

    column: str
    ref_table: str
    ref_column: str


@dataclass(frozen=True)
class Table:
    """A table of the data model.

    Parameters
    ----------
    name : str
        Table name; stored as ``<name>.parquet``.
    description : str
        What one row is.
    columns : tuple of Column
        The columns, in their canonical order.
    key : tuple of str
        Columns whose combination is unique per row.
    foreign_keys : tuple of ForeignKey
        References to other tables.
    required : bool
        Whether every dataset must hold this table (``False`` for microdata tables that public,
        school-level datasets lack).
    """

    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...] = field(default_factory=tuple)
    required: bool = True

    def column(self, name: str) -> Column:
        """Return the column called ``name`` (``KeyError`` when absent)."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"table {self.name!r} has no column {name!r}")

    @property
    def column_names(self) -> list[str]:
        """Names of all columns, in canonical order."""
        return [col.name for col in self.columns]


def _background_columns() -> tuple[Column, ...]:
    """The family-background columns shared by ``pupils`` and ``toddlers``."""
    return (
        Column(
            "mother_education",
            "category",
            "Highest education level of the mother; missing when unknown (imputed by the "
            "indicator).",
            nullable=True,
            categories=EDUCATION_LEVELS,
        ),
        Column(
            "father_education",
            "category",
            "Highest education level of the father; missing when unknown.",
            nullable=True,
            categories=EDUCATION_LEVELS,
        ),
        Column("origin", "category", "Parents' country of origin (CBS groups).",
               categories=ORIGINS),
        Column(
            "mother_years_in_nl",
            "float",
            "Years the mother has lived in the Netherlands (her age when born in the Netherlands).",
            unit="years",
            minimum=0,
            maximum=80,
        ),
        Column("debt_restructuring", "bool",
               "Whether the parents are in statutory debt restructuring (schuldsanering)."),
    )


# --- The tables --------------------------------------------------------------------------------

MUNICIPALITIES = Table(
    "municipalities",
    "One row per municipality (gemeente).",
    (
        Column("municipality_code", "string", "CBS municipality code: 'GM' + 4 digits.",
               pattern=MUNICIPALITY_CODE),
        Column("name", "string", "Municipality name."),
        Column("province", "string", "Province name."),
        Column("population", "int", "Inhabitants on 1 January of the count year; missing when "
               "not supplied (public school-level imports).", "persons", nullable=True, minimum=0),
        Column("urbanity", "int",
               "CBS urbanity class: 1 very strongly urban ... 5 not urban; missing when not "
               "supplied.",
               nullable=True, minimum=1, maximum=5),
        Column("low_income_share", "float",
               "Share of households with a low income; missing when not supplied.", "fraction 0-1",
               nullable=True, minimum=0, maximum=1),
    ),
    key=("municipality_code",),
)

NEIGHBOURHOODS = Table(
    "neighbourhoods",
    "One row per neighbourhood (CBS wijk).",
    (
        Column("neighbourhood_code", "string",
               "CBS wijk code: 'WK' + the 4 municipality digits + 2 digits.",
               pattern=NEIGHBOURHOOD_CODE),
        Column("municipality_code", "string", "Municipality the neighbourhood lies in.",
               pattern=MUNICIPALITY_CODE),
        Column("name", "string", "Neighbourhood name."),
        Column("children_0_3", "int", "Resident children aged 0-3.", "children", minimum=0),
        Column("children_4_11", "int", "Resident children aged 4-11.", "children", minimum=0),
        Column("low_income_share", "float", "Share of households with a low income.",
               "fraction 0-1", minimum=0, maximum=1),
    ),
    key=("neighbourhood_code",),
    foreign_keys=(ForeignKey("municipality_code", "municipalities", "municipality_code"),),
    required=False,
)

SCHOOLS = Table(
    "schools",
    "One row per regular primary school location (vestiging).",
    (
        Column("school_id", "string", "BRIN6: 4-character institution code + 2-digit location.",
               pattern=SCHOOL_ID),
        Column("name", "string", "School name."),
        Column("municipality_code", "string", "Municipality the school is located in.",
               pattern=MUNICIPALITY_CODE),
        Column("neighbourhood_code", "string", "Neighbourhood the school is located in.",
               pattern=NEIGHBOURHOOD_CODE, nullable=True),
        Column("board_id", "string", "School board (bevoegd gezag) number, 5 digits.",
               pattern=BOARD_ID),
        Column("denomination", "string", "Denomination (DUO spelling, e.g. 'Openbaar')."),
        Column("pupils", "int", "Funded pupils on the count date.", "pupils", minimum=0),
    ),
    key=("school_id",),
    foreign_keys=(
        ForeignKey("municipality_code", "municipalities", "municipality_code"),
        ForeignKey("neighbourhood_code", "neighbourhoods", "neighbourhood_code"),
    ),
)

PUPILS = Table(
    "pupils",
    "Pupil microdata on the count date (synthetic, or a researcher's own).",
    (
        Column("pupil_id", "int", "Pupil identifier, unique within the dataset.", minimum=0),
        Column("school_id", "string", "School the pupil attends.", pattern=SCHOOL_ID),
        Column("age", "int", "Age in whole years on the count date.", "years", minimum=3,
               maximum=14),
        Column("grade", "int", "Grade (groep) 1-8; grade 8 takes the end-of-primary test.",
               minimum=1, maximum=8),
        *_background_columns(),
        Column("potential", "float",
               "Standardised ability measure (mean 0, sd 1 nationally).", "sd", minimum=-10,
               maximum=10),
        Column("end_score", "float",
               "End-of-primary test score on the Cito scale (about 501-550; not truncated); "
               "grade-8 pupils only, missing otherwise.",
               "Cito points", nullable=True, minimum=400, maximum=700),
    ),
    key=("pupil_id",),
    foreign_keys=(ForeignKey("school_id", "schools", "school_id"),),
    required=False,
)

TODDLERS = Table(
    "toddlers",
    "Resident children aged 2.5-4 on the count date.",
    (
        Column("toddler_id", "int", "Child identifier, unique within the dataset.", minimum=0),
        Column("neighbourhood_code", "string", "Neighbourhood the child lives in.",
               pattern=NEIGHBOURHOOD_CODE),
        Column("age", "float", "Age on the count date.", "years", minimum=2.5, maximum=4),
        *_background_columns(),
        Column("ve_indication", "bool",
               "Whether the child has an indication for early-childhood education (VE)."),
        Column("ve_location_id", "string",
               "VVE location where the child has a VE place; missing when none.",
               nullable=True),
    ),
    key=("toddler_id",),
    foreign_keys=(
        ForeignKey("neighbourhood_code", "neighbourhoods", "neighbourhood_code"),
        ForeignKey("ve_location_id", "vve_locations", "location_id"),
    ),
    required=False,
)

TEST_RESULTS = Table(
    "test_results",
    "Mean test score per school x school year x grade x domain x moment (pupil monitoring tests).",
    (
        Column("school_id", "string", "School.", pattern=SCHOOL_ID),
        Column("school_year", "int",
               "School year, by its starting calendar year (2019 = 2019/20).", "year",
               minimum=2000, maximum=2100),
        Column("grade", "int", "Grade (groep) 3-8.", minimum=3, maximum=8),
        Column("domain", "category", "Test domain.", categories=TEST_DOMAINS),
        Column("moment", "category", "Test moment: midden (January) or eind (June).",
               categories=TEST_MOMENTS),
        Column("n_pupils", "int", "Pupils tested.", "pupils", minimum=0),
        Column("mean_score", "float",
               "Mean ability score on one scale per domain (comparable across grades).",
               "ability points"),
    ),
    key=("school_id", "school_year", "grade", "domain", "moment"),
    foreign_keys=(ForeignKey("school_id", "schools", "school_id"),),
    required=False,
)

ACTIVITIES = Table(
    "activities",
    "The supply of enriching activities outside regular lessons.",
    (
        Column("activity_id", "string", "Activity identifier."),
        Column("provider", "string", "Organisation offering the activity."),
        Column("provider_type", "category", "Kind of provider.", categories=PROVIDER_TYPES),
        Column("domain", "category", "Development domain the activity serves.",
               categories=DEVELOPMENT_DOMAINS),
        Column("age_min", "int", "Youngest age served.", "years", minimum=0, maximum=18),
        Column("age_max", "int", "Oldest age served.", "years", minimum=0, maximum=18),
        Column("neighbourhood_code", "string", "Neighbourhood where it takes place.",
               pattern=NEIGHBOURHOOD_CODE),
        Column("places", "int", "Places (children that can take part) per year.", "children",
               minimum=0),
        Column("cost_eur", "int", "Yearly cost.", "euro", minimum=0),
    ),
    key=("activity_id",),
    foreign_keys=(ForeignKey("neighbourhood_code", "neighbourhoods", "neighbourhood_code"),),
    required=False,
)

VVE_LOCATIONS = Table(
    "vve_locations",
    "Locations offering early-childhood education (VE) places.",
    (
        Column("location_id", "string", "Location identifier."),
        Column("provider", "string", "Provider running the location."),
        Column("type", "category", "Childcare (voorschool) or school (vroegschool).",
               categories=VVE_LOCATION_TYPES),
        Column("neighbourhood_code", "string", "Neighbourhood of the location.",
               pattern=NEIGHBOURHOOD_CODE),
        Column("ve_places", "int", "VE places.", "places", minimum=0),
        Column("hours_per_week", "float", "VE hours offered per week.", "hours/week",
               minimum=0, maximum=40),
        *(
            Column(f"quality_{domain}", "int",
                   f"Quality score for '{domain}' (1 insufficient ... 4 good).",
                   minimum=1, maximum=4)
            for domain in VVE_QUALITY_DOMAINS
        ),
    ),
    key=("location_id",),
    foreign_keys=(ForeignKey("neighbourhood_code", "neighbourhoods", "neighbourhood_code"),),
    required=False,
)

INTERVENTIONS = Table(
    "interventions",
    "The NPO menukaart: interventions schools may fund from NPO money.",
    (
        Column("intervention_id", "string", "Short identifier (snake case)."),
        Column("name_nl", "string", "Dutch name on the menukaart."),
        Column("eef_strand", "string", "Education Endowment Foundation toolkit strand."),
        Column("months", "float",
               "Extra months of learning progress in a year (EEF); missing when unknown.",
               "months", nullable=True, minimum=0, maximum=12),
        Column("months_confirmed", "bool", "Whether the months figure is official."),
        Column("cost_band", "category", "Cost band.", categories=COST_BANDS),
        Column("cost_min_eur", "int", "Lower end of the cost band per pupil per year.", "euro",
               minimum=0),
        Column("cost_max_eur", "int", "Upper end of the cost band per pupil per year.", "euro",
               minimum=0),
        Column("evidence", "int", "Strength of evidence, 1 (weak) to 5 (strong); unconfirmed.",
               nullable=True, minimum=1, maximum=5),
    ),
    key=("intervention_id",),
)

SCHOOL_PLANS = Table(
    "school_plans",
    "How schools plan to spend their NPO money, one row per school x intervention.",
    (
        Column("school_id", "string", "School.", pattern=SCHOOL_ID),
        Column("intervention_id", "string", "Menukaart intervention."),
        Column("amount_eur", "int", "Planned spending.", "euro", minimum=0),
        Column("target_pupils", "int", "Pupils the intervention reaches.", "pupils", minimum=0),
    ),
    key=("school_id", "intervention_id"),
    foreign_keys=(
        ForeignKey("school_id", "schools", "school_id"),
        ForeignKey("intervention_id", "interventions", "intervention_id"),
    ),
    required=False,
)


PROVIDERS_END_TEST: tuple[str, ...] = ("CET", "IEP", "ROUTE8", "DIA", "AMN")

PUBLISHED_SCHOOL_SCORES = Table(
    "published_school_scores",
    "Published CBS disadvantage scores per school (real data without pupil microdata).",
    (
        Column("school_id", "string", "School (BRIN6).", pattern=SCHOOL_ID),
        Column("pupils", "int", "Funded pupils on the count date (CBS E).", "pupils", minimum=0),
        Column("score_gross", "float", "Score without threshold (A).", "score points",
               minimum=0),
        Column("score_gross_onderbouw", "float", "A for pupils aged <= 7.", "score points",
               minimum=0),
        Column("score_gross_bovenbouw", "float", "A for pupils aged >= 8.", "score points",
               minimum=0),
        Column("score", "float", "Published score after the threshold.", "score points",
               minimum=0),
        Column("flag", "string", "CBS flag 'a' (<= 40 pupils) or empty.", pattern=r"^a?$"),
        Column("flag_parts", "string", "CBS flags 'b' / 'c' for onderbouw / bovenbouw.",
               pattern=r"^(b|c|b, c)?$"),
        Column("count_date", "string", "Count date of the score (ISO); a dataset may hold the "
               "scores of several count dates, averaged per budget year by the count-date rule "
               "of params/<year>.yaml.", pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
               required=False),
    ),
    key=("school_id", "count_date"),
    foreign_keys=(ForeignKey("school_id", "schools", "school_id"),),
    required=False,
)

PUBLISHED_END_SCORES = Table(
    "published_end_scores",
    "Published mean end-of-primary test scores per school x school year x test provider (DUO).",
    (
        Column("school_id", "string", "School (BRIN6).", pattern=SCHOOL_ID),
        Column("school_year", "int", "School year by its starting year.", "year",
               minimum=2000, maximum=2100),
        Column("provider", "category", "Test provider (scales are not comparable).",
               categories=PROVIDERS_END_TEST),
        Column("pupils", "int", "Pupils tested with this provider.", "pupils", minimum=1),
        Column("mean_score", "float", "Mean score on the provider's own scale.",
               "provider points", nullable=True),
    ),
    key=("school_id", "school_year", "provider"),
    foreign_keys=(ForeignKey("school_id", "schools", "school_id"),),
    required=False,
)

SCHOOL_END_SCORES = Table(
    "school_end_scores",
    "End-of-primary scores standardised within provider and year, combined per school.",
    (
        Column("school_id", "string", "School (BRIN6).", pattern=SCHOOL_ID),
        Column("school_year", "int", "School year by its starting year.", "year",
               minimum=2000, maximum=2100),
        Column("pupils_tested", "int", "Pupils tested, all providers.", "pupils", minimum=0),
        Column("standardised_score", "float",
               "Pupil-weighted mean of the provider-standardised school means.", "sd"),
        Column("providers", "string", "Providers used by the school, comma separated."),
    ),
    key=("school_id", "school_year"),
    foreign_keys=(ForeignKey("school_id", "schools", "school_id"),),
    required=False,
)

PUPIL_HISTORY = Table(
    "pupil_history",
    "Pupils per municipality x school type x count year (DUO history since 1996), every school "
    "counted for its municipality in the dataset's indeling in every year.",
    (
        Column("municipality_code", "string", "Municipality in the dataset's indeling.",
               pattern=MUNICIPALITY_CODE),
        Column("school_type", "category", "BO (regular) or SBO (special primary).",
               categories=("BO", "SBO")),
        Column("year", "int", "Count year (1 October).", "year", minimum=1990, maximum=2100),
        Column("pupils", "int", "Pupils of the schools with a published count (<5 left out).",
               "pupils", minimum=0),
        Column("schools", "int", "Schools open: more than 0 pupils or <5.", "schools",
               minimum=0),
        Column("suppressed_schools", "int", "Schools whose count DUO suppressed as <5 (1 to 4 "
               "pupils each, not in pupils).", "schools", minimum=0),
        Column("opened", "int", "Schools open this year that were not open the year before.",
               "schools", minimum=0),
        Column("closed", "int", "Schools open the year before that are not open this year.",
               "schools", minimum=0),
    ),
    key=("municipality_code", "school_type", "year"),
    foreign_keys=(ForeignKey("municipality_code", "municipalities", "municipality_code"),),
    required=False,
)

LEFT_OUT_SCORES = Table(
    "left_out_scores",
    "Schools of the CBS score file that the import left out of ``schools``, with their "
    "published score (a public import with --allow-unplaced).",
    (
        Column("school_id", "string", "School (BRIN6).", pattern=SCHOOL_ID),
        Column("municipality_code", "string", "Municipality in the indeling when known.",
               pattern=MUNICIPALITY_CODE, nullable=True),
        Column("file_code", "string", "Municipality code the school's file gives.",
               pattern=MUNICIPALITY_CODE, nullable=True),
        Column("reason", "string", "Why the school was left out."),
        Column("pupils", "int", "Funded pupils (CBS E).", "pupils", minimum=0),
        Column("score_gross", "float", "Published score without threshold (A).",
               "score points", minimum=0),
        Column("score", "float", "Published score after the threshold.", "score points",
               minimum=0),
    ),
    key=("school_id",),
    required=False,
)

#: Tables only a public, school-level import has (published figures instead of microdata).
PUBLISHED_TABLES: tuple[str, ...] = (
    "published_school_scores",
    "published_end_scores",
    "school_end_scores",
    "left_out_scores",
)

#: Every table, in dependency order (referenced tables first).
TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        MUNICIPALITIES,
        NEIGHBOURHOODS,
        SCHOOLS,
        VVE_LOCATIONS,
        PUPILS,
        TODDLERS,
        TEST_RESULTS,
        ACTIVITIES,
        INTERVENTIONS,
        SCHOOL_PLANS,
        PUBLISHED_SCHOOL_SCORES,
        PUBLISHED_END_SCORES,
        SCHOOL_END_SCORES,
        PUPIL_HISTORY,
        LEFT_OUT_SCORES,
    )
}


def years_in_nl_band(years):
    """Map years in the Netherlands to the band labels of :data:`YEARS_IN_NL_BANDS`.

    Parameters
    ----------
    years : array-like of float
        Years the mother has lived in the Netherlands.

    Returns
    -------
    numpy.ndarray of str
        One band label per value.
    """
    import numpy as np

    values = np.asarray(years, dtype=float)
    edges = [low for _, low, _ in YEARS_IN_NL_BANDS[1:]]
    labels = np.array([label for label, _, _ in YEARS_IN_NL_BANDS], dtype=object)
    return labels[np.searchsorted(edges, values, side="right")]


def microdata_tables() -> list[str]:
    """Names of the tables a full (microdata) dataset such as Demoland holds: every table but
    :data:`PUBLISHED_TABLES`."""
    return [name for name in TABLES if name not in PUBLISHED_TABLES]
