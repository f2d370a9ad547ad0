"""Every word the reader sees, in Dutch (default) and English.

:func:`label` looks up a fixed text by key; the other functions build the sentences of the report
from figures (already formatted by :mod:`npo_analysis.formatting`). Keys are grouped by prefix:
``figure.*`` key figures, ``col.*`` table headers, ``chart.*`` chart titles and axes,
``section.*`` section texts.
"""

from __future__ import annotations

from npo_analysis.formatting import check_language

#: key -> (Dutch, English).
LABELS: dict[str, tuple[str, str]] = {
    "figure": ("Kengetal", "Figure"),
    "figure.schools": ("Scholen (vestigingen)", "Schools (locations)"),
    "figure.pupils": ("Leerlingen", "Pupils"),
    "figure.toddlers": ("Peuters (2,5-4 jaar)", "Toddlers (aged 2.5-4)"),
    "figure.target_children": ("Doelgroepkinderen", "Target-group children"),
    "figure.target_share": ("Aandeel doelgroepkinderen", "Share of target-group children"),
    "figure.score_gross": ("Achterstandsscore zonder drempel",
                           "Disadvantage score without threshold"),
    "figure.score": ("Achterstandsscore met drempel", "Disadvantage score with threshold"),
    "figure.goab_eur": ("GOAB-budget", "GOAB budget"),
    "figure.goab_per_target_child": ("GOAB per doelgroepkind", "GOAB per target-group child"),
    "figure.npo_grant_eur": ("NPO-uitkering gemeente", "NPO grant to the municipality"),
    "figure.npo_schools_eur": ("NPO-budget scholen", "NPO budget of the schools"),
    "figure.npo_schools_per_pupil": ("NPO-budget scholen per leerling",
                                     "NPO school budget per pupil"),
    "group.province": ("Provincie {name}", "Province of {name}"),
    "group.peers": ("Vergelijkbare gemeenten ({n})", "Peer municipalities ({n})"),
    "group.netherlands": ("Nederland", "The Netherlands"),
    "group.national": ("Nederland", "The Netherlands"),
    "col.school": ("School", "School"),
    "col.school_id": ("Vestiging (BRIN6)", "Location (BRIN6)"),
    "col.neighbourhood": ("Wijk", "Neighbourhood"),
    "col.pupils": ("Leerlingen", "Pupils"),
    "col.target_pupils": ("Doelgroepleerlingen", "Target-group pupils"),
    "col.target_share": ("Aandeel doelgroep", "Target share"),
    "col.score": ("Achterstandsscore", "Disadvantage score"),
    "col.band": ("Onzekerheid (laag-hoog)", "Uncertainty (low-high)"),
    "col.flag": ("CBS-vlag", "CBS flag"),
    "col.npo_budget": ("NPO-budget", "NPO budget"),
    "col.schools": ("Scholen", "Schools"),
    "col.children_0_3": ("Kinderen 0-3", "Children 0-3"),
    "col.children_4_11": ("Kinderen 4-11", "Children 4-11"),
    "col.low_income": ("Lage inkomens", "Low incomes"),
    "col.target_toddlers": ("Doelgroeppeuters", "Target-group toddlers"),
    "col.ve_indicated": ("Peuters met VVE-indicatie", "Toddlers with a VE indication"),
    "col.ve_reach": ("VVE-bereik", "VE reach"),
    "col.activity_places": ("Plaatsen activiteiten", "Activity places"),
    "col.intervention": ("Interventie (menukaart)", "Intervention (menukaart)"),
    "col.months": ("Maanden extra vooruitgang", "Months of extra progress"),
    "col.cost_band": ("Kosten", "Cost"),
    "col.evidence": ("Bewijskracht (1-5)", "Evidence (1-5)"),
    "col.amount": ("Gepland bedrag", "Planned amount"),
    "col.amount_share": ("Aandeel van plannen", "Share of plans"),
    "col.per_target_pupil": ("Per bereikte leerling", "Per pupil reached"),
    "col.base": ("Nu", "Now"),
    "col.alternative": ("Scenario", "Scenario"),
    "col.difference": ("Verschil", "Difference"),
    "col.difference_pct": ("Verschil (%)", "Difference (%)"),
    "col.goal": ("Doel", "Goal"),
    "col.now": ("Nu", "Now"),
    "col.target": ("Streefwaarde", "Target"),
    "col.text": ("Afspraak", "Agreement"),
    "col.partners": ("Partners", "Partners"),
    "col.deadline": ("Wanneer", "When"),
    "col.indicator": ("Meten met", "Measured by"),
    "col.year": ("Begrotingsjaar", "Budget year"),
    "budget.goab_eur": ("GOAB (gemeente)", "GOAB (municipality)"),
    "budget.npo_grant_eur": ("NPO-uitkering gemeente", "NPO grant to the municipality"),
    "budget.npo_schools_eur": ("NPO-budget scholen", "NPO budget of the schools"),
    "chart.distribution": ("Aandeel doelgroepleerlingen per school",
                           "Share of target-group pupils per school"),
    "chart.distribution.x": ("Aandeel doelgroepleerlingen", "Share of target-group pupils"),
    "chart.distribution.y": ("Aandeel van de scholen", "Share of schools"),
    "chart.peers": ("Aandeel doelgroepkinderen: gemeente en vergelijkbare gemeenten",
                    "Share of target-group children: municipality and peers"),
    "chart.trend": ("Aandeel in het landelijke GOAB-budget per begrotingsjaar",
                    "Share of the national GOAB budget per budget year"),
    "chart.trend.y": ("Aandeel landelijk GOAB-budget", "Share of national GOAB budget"),
    "chart.money": ("Budgetten per begrotingsjaar", "Budgets per budget year"),
    "chart.money.y": ("Bedrag", "Amount"),
    "chart.plans": ("NPO-plannen van de scholen per interventie",
                    "Schools' NPO plans per intervention"),
    "chart.scenario": ("Wat het scenario verandert per school (hooguit de 25 grootste "
                       "veranderingen)",
                       "What the scenario changes per school (at most the 25 largest changes)"),
    "chart.coefficients": ("Coëfficiënten van het model", "Model coefficients"),
    "chart.imputation": ("Breedte 5e-95e percentiel van de score per 100 leerlingen",
                         "Width of the 5th-95th percentile of the score per 100 pupils"),
    "chart.reference": ("Nederland", "The Netherlands"),
    "flag.note": ("(a) score van een school met 40 of minder leerlingen: onbetrouwbaar volgens "
                  "CBS; (b)/(c) idem voor onderbouw/bovenbouw.",
                  "(a) score of a school with 40 pupils or fewer: unreliable according to CBS; "
                  "(b)/(c) the same for the lower/upper grades."),
    "suppression.note": ("Aantallen van minder dan 10 kinderen in een groep die naar "
                         "achtergrond is bepaald (en totalen van 1 tot 9 kinderen) staan als <10; "
                         "x: weggelaten zodat zo'n klein aantal niet uit de andere cijfers is "
                         "terug te rekenen; een aandeel van minder dan 10 kinderen of van een "
                         "weggelaten aantal is weggelaten (–).",
                         "Counts below 10 children in a group defined by background (and totals "
                         "of 1 to 9 children) are shown as <10; x: left out so that such a small "
                         "count cannot be worked out from the other figures; a share of fewer "
                         "than 10 children or of a hidden count is left out (–)."),
    "band.note": ("Onzekerheid: het 5e en 95e percentiel van de score over de "
                  "imputatierondes van het ontbrekende opleidingsniveau van de ouders (met "
                  "dezelfde drempel).",
                  "Uncertainty: the 5th and 95th percentile of the score over the imputation "
                  "rounds of the missing parental education (with the same threshold)."),
    "unknown": ("onbekend", "unknown"),
    "heading.key_figures": ("Kerncijfers", "Key figures"),
    "heading.schools": ("Scholen", "Schools"),
    "heading.neighbourhoods": ("Wijken", "Neighbourhoods"),
    "heading.maps": ("Kaarten", "Maps"),
    "heading.national_maps": ("Kaarten van het land", "Maps of the country"),
    "map.white_spots": ("Witte vlekken in het aanbod per wijk",
                        "White spots in the supply per neighbourhood"),
    "map.locator": ("Ligging van {name} in het land", "Location of {name} in the country"),
    "map.locator.alt": ("Kaart van het land met {name} gekleurd.",
                        "Map of the country with {name} filled in."),
    "heading.distribution": ("Spreiding over de scholen", "Spread over the schools"),
    "heading.trend": ("Ontwikkeling over de jaren", "Development over the years"),
    "heading.peers": ("Vergelijkbare gemeenten", "Peer municipalities"),
    "heading.goals": ("Doelen uit de cijfers", "Goals from the figures"),
    "heading.lea_goals": ("Doelen van de Lokale Educatieve Agenda",
                          "Goals of the Local Education Agenda"),
    "heading.money": ("Het geld over de jaren", "The money over the years"),
    "heading.plans": ("Plannen van de scholen", "The schools' plans"),
    "heading.scenarios": ("Wat als? Scenario's", "What if? Scenarios"),
    "heading.agreements": ("Afspraken", "Agreements"),
    "no_goals": ("De cijfers laten geen van de gezochte tekorten zien.",
                 "The figures show none of the gaps looked for."),
    "no_plans": ("Er zijn geen NPO-plannen van scholen in deze gemeente.",
                 "There are no NPO plans of schools in this municipality."),
    "col.domain": ("Domein", "Domain"),
    "col.delay": ("Eigen achterstand (maanden)", "Own delay (months)"),
    "col.extra_challenge": ("Extra uitdagingen", "Extra challenges"),
    "col.target_children": ("Doelgroepkinderen", "Target-group children"),
    "col.need": ("Behoefte (plaatsen)", "Need (places)"),
    "col.coverage": ("Dekking", "Coverage"),
    "col.shortfall": ("Tekort (plaatsen)", "Shortfall (places)"),
    "col.ve_placed": ("Met VVE-plaats", "With a VE place"),
    "col.reach_interval": ("95%-interval bereik", "95% interval of reach"),
    "col.below_norm": ("Onder 80%", "Below 80%"),
    "col.location": ("Locatie", "Location"),
    "col.provider": ("Aanbieder", "Provider"),
    "col.ve_places": ("VVE-plaatsen", "VE places"),
    "col.hours_week": ("Uren per week", "Hours per week"),
    "col.hours_18": ("Uren in 18 maanden", "Hours in 18 months"),
    "col.meets_norm": ("Haalt 960 uur", "Meets 960 hours"),
    "col.quality_mean": ("Gemiddeld", "Mean"),
    "col.cost_range": ("Kosten per leerling per jaar", "Cost per pupil per year"),
    "col.months_per_1000": ("Maanden per € 1.000 per leerling", "Months per € 1,000 per pupil"),
    "col.months_per_1000_range": ("Bandbreedte (kostencategorie)", "Range (cost band)"),
    "col.plan_eur": ("Plannen (bedrag)", "Plans (amount)"),
    "col.optimum_eur": ("Beste pakket (bedrag)", "Best package (amount)"),
    "col.plan_months": ("Leermaanden plannen", "Pupil-months plans"),
    "col.optimum_months": ("Leermaanden beste pakket", "Pupil-months best package"),
    "col.extra_months": ("Extra leermaanden", "Extra pupil-months"),
    "col.plan_per_pupil": ("Per leerling: plannen", "Per pupil: plans"),
    "col.optimum_per_pupil": ("Per leerling: beste pakket", "Per pupil: best package"),
    "group.peers_median": ("Mediane vergelijkbare gemeente", "Median peer"),
    "chart.delays": ("Leerachterstand in maanden bij de laatste meting (95%-interval)",
                     "Learning delay in months at the latest test (95% interval)"),
    "chart.delays.x": ("Maanden achter op de verwachte groei", "Months behind expected growth"),
    "chart.white_spots": ("Dekking van de behoefte aan activiteiten per wijk en domein",
                          "Coverage of the need for activities per neighbourhood and domain"),
    "chart.vve_reach": ("VVE-bereik per wijk", "VE reach per neighbourhood"),
    "chart.vve_hours": ("VVE-uren in 18 maanden per locatie", "VE hours in 18 months per location"),
    "chart.vve_quality": ("Kwaliteit per VVE-aanbieder (1 onvoldoende - 4 goed; zwart omrand: "
                          "gemiddeld onder 2,5)",
                          "Quality per VE provider (1 insufficient - 4 good; black border: mean "
                          "below 2.5)"),
    "chart.norm_80": ("norm 80%", "norm 80%"),
    "chart.norm_960": ("norm 960 uur", "norm 960 hours"),
    "chart.cost_effectiveness": ("Leermaanden per € 1.000 per leerling (bandbreedte van de "
                                 "kostencategorie)",
                                 "Months of progress per € 1,000 per pupil (range of the cost "
                                 "band)"),
    "chart.cost_effectiveness.x": ("Maanden per € 1.000 per leerling (logaritmische schaal)",
                                   "Months per € 1,000 per pupil (log scale)"),
    "chart.plans_vs_optimum": ("Leermaanden per leerling: plannen en beste pakket, zelfde geld",
                               "Months per pupil: plans and best package, same money"),
    "chart.plan_label": ("Plannen", "Plans"),
    "chart.optimum": ("Beste pakket", "Best package"),
    "heading.delays": ("Leerachterstanden", "Learning delays"),
    "heading.challenge": ("Scholen met extra uitdagingen", "Schools with extra challenges"),
    "heading.white_spots": ("Witte vlekken", "White spots"),
    "heading.vve": ("Voor- en vroegschoolse educatie (VVE)", "Early-childhood education (VE)"),
    "heading.comparison": ("Kengetallen naast land, provincie en vergelijkbare gemeenten",
                           "Headline figures beside the country, province and peers"),
    "heading.what_works": ("Wat werkt en wat kost het?", "What works and what does it cost?"),
    "heading.plans_vs_optimum": ("Plannen tegenover het beste pakket",
                                 "Plans against the best package"),
    "heading.export": ("Tabellen in Excel", "Tables in Excel"),
    "no_test_results": ("Deze dataset heeft geen toetsresultaten; de leerachterstanden zijn niet "
                        "te berekenen.",
                        "This dataset has no test results; learning delays cannot be computed."),
    "no_vve": ("Deze gemeente heeft geen VVE-locaties of peuters in de dataset.",
               "This municipality has no VE locations or toddlers in the dataset."),
    "export.link": ("Alle tabellen achter de grafieken van dit rapport: [{file}]({href}) "
                    "(Excel, één blad per onderdeel).",
                    "Every table behind the charts of this report: [{file}]({href}) (Excel, one "
                    "sheet per section)."),
    "overview.white_spots": ("De 15 gemeenten met het grootste tekort aan plaatsen in hun "
                             "witte vlekken (wijk x domein met een behoefte van minstens 10 "
                             "plaatsen en minder dan 50% dekking).",
                             "The 15 municipalities with the largest shortfall of places in their "
                             "white spots (neighbourhood x domain with a need of at least 10 "
                             "places and less than 50% coverage)."),
    "overview.vve": ("De 15 gemeenten met het laagste VVE-bereik (peuters met een VVE-indicatie "
                     "en een VVE-plaats / peuters met een VVE-indicatie); gemeenten met minder "
                     "dan 10 geïndiceerde peuters achteraan, zonder bereik.",
                     "The 15 municipalities with the lowest VE reach (toddlers with a VE "
                     "indication and a VE place / toddlers with a VE indication); municipalities "
                     "with fewer than 10 indicated toddlers last, without reach."),
    "yes": ("ja", "yes"),
    "no": ("nee", "no"),
}


def heading(key: str, language: str = "nl") -> str:
    """A Markdown sub-heading (``### ...``) of the text ``heading.<key>``.

    Parameters
    ----------
    key : str
        Heading key without the ``heading.`` prefix, e.g. ``"schools"``.
    language : {"nl", "en"}
        Language.

    Returns
    -------
    str
    """
    return f"### {label(f'heading.{key}', language)}"


def label(key: str, language: str = "nl", **values) -> str:
    """The text of ``key`` in ``language``, with ``{placeholders}`` filled from ``values``.

    Parameters
    ----------
    key : str
        A key of :data:`LABELS`.
    language : {"nl", "en"}
        Language.
    **values
        Values for the placeholders.

    Returns
    -------
    str

    Examples
    --------
    >>> label("group.peers", "nl", n=5)
    'Vergelijkbare gemeenten (5)'
    """
    try:
        dutch, english = LABELS[key]
    except KeyError:
        raise KeyError(f"no text for {key!r}") from None
    text = dutch if check_language(language) == "nl" else english
    return text.format(**values) if values else text
