"""The KPI catalogue, kept as data in one place.

Every figure on the dashboard is described here: code, Dutch and English name, unit, theme, which
direction is better (or none), number format and the ⓘ explanation in plain words of what it means
and how it is computed. ``kpis.py`` computes the values, ``stats.py`` the peer statistics, and the
dashboard only reads; so a new KPI is one entry here plus one function there.

Storage: per window a practice's KPI values are stored as one vector in the order of
``STORED_COLUMNS``, with the layout (the names in that order) beside it (``layout.py``), so a
stored value is found by its code: KPIs may be added, removed or reordered here freely; rows
stored before read their values by name ("not defined" for a KPI they lack) until ``manage.py
rebuild_kpis`` computes them again from the stored exports.
"""

from dataclasses import dataclass

from parabench import language


def _dutch() -> bool:
    return not language.english()


# Number formats the dashboard knows: whole number, one or two decimals, a percentage (the value
# is already 0–100), euros with cents, whole euros.
NUMBER_FORMATS = ("int", "dec1", "dec2", "pct", "eur", "eur0")


@dataclass(frozen=True)
class KpiDefinition:
    code: str
    name_nl: str
    name_en: str
    unit: str  # "aantal", "%", "€", "zittingen", "weken", "dagen", "fte", "punten"
    theme: str  # the key of its theme (THEMES)
    better: str | None  # "higher", "lower" or None (neither is better)
    number_format: str
    explanation_nl: str
    explanation_en: str
    # Growth KPIs are not stored: they are derived from this KPI and last year's same window.
    growth_of: str | None = None

    @property
    def name(self) -> str:
        return self.name_nl if _dutch() else self.name_en

    @property
    def explanation(self) -> str:
        return self.explanation_nl if _dutch() else self.explanation_en


@dataclass(frozen=True)
class Category:
    key: str
    label_nl: str
    label_en: str

    @property
    def label(self) -> str:
        return self.label_nl if _dutch() else self.label_en


@dataclass(frozen=True)
class MixDefinition:
    """A breakdown shown as shares (0–100 %) of a total, beside the group's median shares."""

    code: str
    name_nl: str
    name_en: str
    theme: str  # the key of its theme (THEMES)
    explanation_nl: str
    explanation_en: str
    categories: tuple[Category, ...]

    @property
    def name(self) -> str:
        return self.name_nl if _dutch() else self.name_en

    @property
    def explanation(self) -> str:
        return self.explanation_nl if _dutch() else self.explanation_en

    def column(self, category: str) -> str:
        return f"{self.code}.{category}"

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(self.column(c.key) for c in self.categories)


# The themes of the dashboard, by key: a KPI or mix names its theme by key, the pages use the key
# in URLs and element ids, people read the label.
THEMES: tuple[Category, ...] = (
    Category("patients", "Patiënten", "Patients"),
    Category("episodes", "Klachten", "Episodes"),
    Category("treatments", "Behandelingen", "Treatments"),
    Category("finance", "Financiën", "Finance"),
    Category("insurers", "Verzekeraars", "Insurers"),
    Category("productivity", "Productiviteit", "Productivity"),
    Category("quality", "Kwaliteit", "Quality"),
)
THEME_BY_KEY = {theme.key: theme for theme in THEMES}


def _kpi(code, nl, en, unit, theme, better, fmt, expl_nl, expl_en, growth_of=None):
    return KpiDefinition(code, nl, en, unit, theme, better, fmt, expl_nl, expl_en, growth_of)


_MEDIAN_NOTE_NL = (
    " De mediaan komt uit een histogram met hele getallen en wordt berekend met lineaire "
    "interpolatie (type 7); in de laatste klasse telt de ondergrens."
)
_MEDIAN_NOTE_EN = (
    " The median comes from a histogram of whole numbers and is computed by linear "
    "interpolation (type 7); the last (open) bin counts as its lower bound."
)
_GROWTH_NL = (
    "Groei ten opzichte van dezelfde periode vorig jaar: (dit jaar − vorig jaar) / vorig jaar × "
    "100 %. Alleen als u vorig jaar ook heeft aangeleverd en de waarde toen groter dan nul was."
)
_GROWTH_EN = (
    "Growth against the same period last year: (this year − last year) / last year × 100 %. "
    "Only when you also sent last year and its value was above zero."
)

KPIS: tuple[KpiDefinition, ...] = (
    # --- Patiënten ---------------------------------------------------------------------------
    _kpi(
        "patients",
        "Aantal patiënten",
        "Patients",
        "aantal",
        "patients",
        None,  # size is no merit; its growth is
        "int",
        "Het aantal verschillende patiënten met minstens één zitting in de periode. Een patiënt "
        "die vaker komt, telt één keer.",
        "The number of distinct patients with at least one session in the period. A patient who "
        "comes more often counts once.",
    ),
    _kpi(
        "new_patients",
        "Nieuwe patiënten",
        "New patients",
        "aantal",
        "patients",
        None,  # size is no merit; its growth is
        "int",
        "Patiënten van wie de eerste klacht ooit in deze periode begon.",
        "Patients whose first episode ever started in this period.",
    ),
    _kpi(
        "female_share",
        "% vrouw",
        "% female",
        "%",
        "patients",
        None,
        "pct",
        "Vrouwelijke patiënten gedeeld door alle patiënten in de periode, × 100 %.",
        "Female patients divided by all patients in the period, × 100 %.",
    ),
    # --- Klachten ----------------------------------------------------------------------------
    _kpi(
        "episodes",
        "Aantal klachten",
        "Episodes",
        "aantal",
        "episodes",
        None,  # size is no merit; its growth is
        "int",
        "Klachten (zorgtrajecten) die in de periode liepen: begonnen vóór of in de periode en "
        "niet vóór de periode afgesloten.",
        "Episodes (care pathways) active in the period: started before or during it and not "
        "closed before it.",
    ),
    _kpi(
        "new_episodes",
        "Nieuwe klachten",
        "New episodes",
        "aantal",
        "episodes",
        None,  # size is no merit; its growth is
        "int",
        "Klachten die in de periode begonnen.",
        "Episodes that started in the period.",
    ),
    _kpi(
        "episodes_per_patient",
        "Klachten per patiënt",
        "Episodes per patient",
        "aantal",
        "episodes",
        None,
        "dec2",
        "Lopende klachten gedeeld door het aantal patiënten in de periode.",
        "Active episodes divided by the number of patients in the period.",
    ),
    _kpi(
        "chronic_share",
        "% chronisch",
        "% chronic",
        "%",
        "episodes",
        None,
        "pct",
        "Lopende klachten die vallen onder de chronische lijst (Bijlage 1 Besluit "
        "zorgverzekering), gedeeld door alle lopende klachten, × 100 %.",
        "Active episodes under the chronic list (Annex 1 of the Health Insurance Decree) "
        "divided by all active episodes, × 100 %.",
    ),
    _kpi(
        "direct_access_share",
        "% direct toegankelijk",
        "% direct access",
        "%",
        "episodes",
        None,
        "pct",
        "Nieuwe klachten zonder verwijzing (screening, direct toegankelijk) gedeeld door alle "
        "nieuwe klachten, × 100 %.",
        "New episodes without referral (screening, direct access) divided by all new "
        "episodes, × 100 %.",
    ),
    # --- Behandelingen -----------------------------------------------------------------------
    _kpi(
        "sessions",
        "Aantal zittingen",
        "Sessions",
        "aantal",
        "treatments",
        None,  # size is no merit; its growth is
        "int",
        "Zittingen die in de periode hebben plaatsgevonden (niet nagekomen afspraken tellen "
        "niet mee).",
        "Sessions that took place in the period (no-shows do not count).",
    ),
    _kpi(
        "sessions_per_episode",
        "Behandelgemiddelde",
        "Sessions per episode",
        "zittingen",
        "treatments",
        None,
        "dec1",
        "Alle zittingen van de klachten die in de periode zijn afgesloten, gedeeld door het "
        "aantal afgesloten klachten. Meer of minder is op zich niet beter of slechter.",
        "All sessions of the episodes closed in the period divided by the number of closed "
        "episodes. More or fewer is in itself neither better nor worse.",
    ),
    _kpi(
        "sessions_per_episode_chronic",
        "Behandelgemiddelde chronisch",
        "Sessions per episode (chronic)",
        "zittingen",
        "treatments",
        None,
        "dec1",
        "Als het behandelgemiddelde, alleen voor afgesloten klachten onder de chronische lijst.",
        "As sessions per episode, only for closed episodes under the chronic list.",
    ),
    _kpi(
        "sessions_per_episode_non_chronic",
        "Behandelgemiddelde niet-chronisch",
        "Sessions per episode (non-chronic)",
        "zittingen",
        "treatments",
        None,
        "dec1",
        "Als het behandelgemiddelde, alleen voor afgesloten klachten buiten de chronische lijst.",
        "As sessions per episode, only for closed episodes outside the chronic list.",
    ),
    _kpi(
        "median_sessions",
        "Mediaan zittingen",
        "Median sessions",
        "zittingen",
        "treatments",
        None,
        "dec1",
        "Het middelste aantal zittingen van de in de periode afgesloten klachten: de helft had "
        "er minder of evenveel, de helft evenveel of meer." + _MEDIAN_NOTE_NL,
        "The middle number of sessions of the episodes closed in the period: half had as many "
        "or fewer, half as many or more." + _MEDIAN_NOTE_EN,
    ),
    _kpi(
        "episode_weeks",
        "Behandelduur",
        "Treatment duration",
        "weken",
        "treatments",
        None,
        "dec1",
        "De mediane duur in hele weken van eerste tot laatste zitting van de in de periode "
        "afgesloten klachten." + _MEDIAN_NOTE_NL,
        "The median duration in whole weeks from first to last session of the episodes closed "
        "in the period." + _MEDIAN_NOTE_EN,
    ),
    # --- Financiën ---------------------------------------------------------------------------
    _kpi(
        "revenue",
        "Omzet",
        "Revenue",
        "€",
        "finance",
        None,  # size is no merit; its growth is
        "eur0",
        "Het totaal gedeclareerde bedrag van de zittingen in de periode (ook gefactureerde niet "
        "nagekomen afspraken).",
        "The total billed amount of the sessions in the period (billed no-shows included).",
    ),
    _kpi(
        "revenue_per_session",
        "Gemiddeld tarief",
        "Average tariff",
        "€",
        "finance",
        None,
        "eur",
        "Omzet gedeeld door het aantal zittingen.",
        "Revenue divided by the number of sessions.",
    ),
    _kpi(
        "revenue_per_session_contract",
        "Gemiddeld tarief verzekerde zorg",
        "Average tariff (insured)",
        "€",
        "finance",
        None,
        "eur",
        "Omzet uit basis- en aanvullende verzekering gedeeld door de zittingen die daaruit "
        "betaald worden.",
        "Revenue from basic and supplementary insurance divided by the sessions they pay for.",
    ),
    _kpi(
        "revenue_per_session_self_pay",
        "Gemiddeld tarief zelfbetalers",
        "Average tariff (self-pay)",
        "€",
        "finance",
        None,
        "eur",
        "Omzet van zelfbetalers gedeeld door de zittingen die zij zelf betalen.",
        "Self-pay revenue divided by the sessions patients pay themselves.",
    ),
    _kpi(
        "revenue_per_patient",
        "Omzet per patiënt",
        "Revenue per patient",
        "€",
        "finance",
        None,
        "eur",
        "Omzet gedeeld door het aantal patiënten in de periode.",
        "Revenue divided by the number of patients in the period.",
    ),
    _kpi(
        "revenue_per_episode",
        "Omzet per klacht",
        "Revenue per episode",
        "€",
        "finance",
        None,
        "eur",
        "Omzet gedeeld door het aantal lopende klachten in de periode.",
        "Revenue divided by the number of active episodes in the period.",
    ),
    _kpi(
        "self_pay_share",
        "% zelfbetalers",
        "% self-pay",
        "%",
        "finance",
        None,
        "pct",
        "Omzet van zelfbetalers gedeeld door de totale omzet, × 100 %.",
        "Self-pay revenue divided by total revenue, × 100 %.",
    ),
    # --- Productiviteit ----------------------------------------------------------------------
    _kpi(
        "therapists",
        "Aantal therapeuten",
        "Therapists",
        "aantal",
        "productivity",
        None,
        "int",
        "Therapeuten die op minstens één dag van de periode in dienst waren.",
        "Therapists employed on at least one day of the period.",
    ),
    _kpi(
        "fte",
        "Formatie (fte)",
        "Staff (FTE)",
        "fte",
        "productivity",
        None,
        "dec1",
        "De gemiddelde formatie van de therapeuten over de dagen van de periode, in fte.",
        "The therapists' average full-time equivalents over the days of the period.",
    ),
    _kpi(
        "sessions_per_fte",
        "Zittingen per fte",
        "Sessions per FTE",
        "zittingen",
        "productivity",
        "higher",
        "int",
        "Zittingen in de periode gedeeld door de formatie in fte.",
        "Sessions in the period divided by the staff in FTE.",
    ),
    _kpi(
        "patients_per_therapist",
        "Patiënten per therapeut",
        "Patients per therapist",
        "aantal",
        "productivity",
        "higher",
        "dec1",
        "Patiënten in de periode gedeeld door het aantal therapeuten.",
        "Patients in the period divided by the number of therapists.",
    ),
    _kpi(
        "no_show_rate",
        "% niet nagekomen",
        "% no-shows",
        "%",
        "productivity",
        "lower",
        "pct",
        "Niet nagekomen afspraken gedeeld door (zittingen + niet nagekomen afspraken), × 100 %.",
        "No-shows divided by (sessions + no-shows), × 100 %.",
    ),
    # --- Kwaliteit ---------------------------------------------------------------------------
    _kpi(
        "outcome_measure_share",
        "% met meetinstrument",
        "% with outcome measure",
        "%",
        "quality",
        "higher",
        "pct",
        "Afgesloten klachten waarbij minstens één meetinstrument is gebruikt, gedeeld door alle "
        "afgesloten klachten, × 100 %.",
        "Closed episodes with at least one outcome measure divided by all closed episodes, "
        "× 100 %.",
    ),
    _kpi(
        "goals_achieved_share",
        "% doelen behaald",
        "% goals achieved",
        "%",
        "quality",
        "higher",
        "pct",
        "Afgesloten klachten waarbij de behandeldoelen zijn behaald, gedeeld door alle "
        "afgesloten klachten, × 100 %.",
        "Closed episodes whose treatment goals were achieved divided by all closed episodes, "
        "× 100 %.",
    ),
    _kpi(
        "ended_regular_share",
        "% regulier beëindigd",
        "% ended regularly",
        "%",
        "quality",
        "higher",
        "pct",
        "Afgesloten klachten met als reden 'uitbehandeld', gedeeld door alle afgesloten "
        "klachten, × 100 %.",
        "Closed episodes ended as 'treatment completed' divided by all closed episodes, × 100 %.",
    ),
    _kpi(
        "waiting_days",
        "Wachttijd",
        "Waiting time",
        "dagen",
        "quality",
        "lower",
        "dec1",
        "De mediane wachttijd in dagen van aanmelding tot eerste zitting, voor klachten met hun "
        "eerste zitting in de periode." + _MEDIAN_NOTE_NL,
        "The median number of days from registration to first session, for episodes whose "
        "first session lies in the period." + _MEDIAN_NOTE_EN,
    ),
    _kpi(
        "waiting_within_5_share",
        "% binnen 5 werkdagen",
        "% within 5 working days",
        "%",
        "quality",
        "higher",
        "pct",
        "Klachten waarvan de eerste zitting binnen 5 werkdagen na aanmelding was, gedeeld door "
        "alle klachten met hun eerste zitting in de periode, × 100 %.",
        "Episodes whose first session was within 5 working days of registration divided by "
        "all episodes with their first session in the period, × 100 %.",
    ),
    # --- Kwaliteit: outcome measures (format 1.1) ------------------------------------------
    _kpi(
        "nprs_improved_share",
        "% pijn klinisch verbeterd (NPRS)",
        "% pain clinically improved (NPRS)",
        "%",
        "quality",
        "higher",
        "pct",
        "Afgesloten klachten met een pijnscore (NPRS, 0–10) bij het begin en aan het eind, op "
        "twee verschillende dagen, waarvan de pijn klinisch relevant afnam — minstens 2 punten "
        "of minstens 30 % van de eerste score (Farrar e.a. 2001) — gedeeld door al die gemeten "
        "klachten, × 100 %. Alleen uit exports in formaat 1.1 (met measurements.csv).",
        "Closed episodes with a pain score (NPRS, 0–10) at the start and at the end, on two "
        "different days, whose pain fell by a clinically relevant amount — at least 2 points or "
        "at least 30 % of the first score (Farrar et al. 2001) — divided by all those measured "
        "episodes, × 100 %. Only from exports in format 1.1 (with measurements.csv).",
    ),
    _kpi(
        "nprs_change",
        "Gemiddelde pijnafname (NPRS)",
        "Mean pain reduction (NPRS)",
        "punten",
        "quality",
        "higher",
        "dec1",
        "Het gemiddelde van eerste min laatste pijnscore (NPRS, 0–10) over de afgesloten "
        "klachten die bij het begin en aan het eind gemeten zijn: hoeveel punten de pijn "
        "gemiddeld afnam. Niet gecorrigeerd voor de casemix: chronische en oudere patiënten "
        "verbeteren minder.",
        "The mean of first minus last pain score (NPRS, 0–10) over the closed episodes measured "
        "at the start and at the end: by how many points pain fell on average. Not adjusted for "
        "case mix: chronic and older patients improve less.",
    ),
    _kpi(
        "psk_improved_share",
        "% klachten klinisch verbeterd (PSK)",
        "% clinically improved (PSK)",
        "%",
        "quality",
        "higher",
        "pct",
        "Afgesloten klachten met een PSK-score (Patiënt Specifieke Klachten: het gemiddelde van "
        "de moeite met de door de patiënt gekozen activiteiten, 0–10) bij het begin en aan het "
        "eind, waarvan de score minstens 2 punten daalde (Stratford e.a. 1995), gedeeld door al "
        "die gemeten klachten, × 100 %. Alleen uit exports in formaat 1.1.",
        "Closed episodes with a PSK score (Patient-Specific Complaints: the mean difficulty with "
        "the activities the patient chose, 0–10) at the start and at the end, whose score fell "
        "by at least 2 points (Stratford et al. 1995), divided by all those measured episodes, "
        "× 100 %. Only from exports in format 1.1.",
    ),
    _kpi(
        "psk_change",
        "Gemiddelde verbetering (PSK)",
        "Mean improvement (PSK)",
        "punten",
        "quality",
        "higher",
        "dec1",
        "Het gemiddelde van eerste min laatste PSK-score (0–10) over de afgesloten klachten die "
        "bij het begin en aan het eind gemeten zijn: hoeveel punten de moeite met de gekozen "
        "activiteiten gemiddeld afnam. Niet gecorrigeerd voor de casemix.",
        "The mean of first minus last PSK score (0–10) over the closed episodes measured at the "
        "start and at the end: by how many points the difficulty with the chosen activities fell "
        "on average. Not adjusted for case mix.",
    ),
    # --- Growth (derived, not stored) --------------------------------------------------------
    _kpi(
        "growth_patients",
        "Groei patiënten",
        "Growth in patients",
        "%",
        "patients",
        "higher",
        "pct",
        _GROWTH_NL,
        _GROWTH_EN,
        growth_of="patients",
    ),
    _kpi(
        "growth_episodes",
        "Groei klachten",
        "Growth in episodes",
        "%",
        "episodes",
        "higher",
        "pct",
        _GROWTH_NL,
        _GROWTH_EN,
        growth_of="episodes",
    ),
    _kpi(
        "growth_sessions",
        "Groei zittingen",
        "Growth in sessions",
        "%",
        "treatments",
        "higher",
        "pct",
        _GROWTH_NL,
        _GROWTH_EN,
        growth_of="sessions",
    ),
    _kpi(
        "growth_revenue",
        "Groei omzet",
        "Growth in revenue",
        "%",
        "finance",
        "higher",
        "pct",
        _GROWTH_NL,
        _GROWTH_EN,
        growth_of="revenue",
    ),
)

_AGE_BANDS = (
    ("age_0_17", "0–17"),
    ("age_18_29", "18–29"),
    ("age_30_39", "30–39"),
    ("age_40_49", "40–49"),
    ("age_50_59", "50–59"),
    ("age_60_69", "60–69"),
    ("age_70_79", "70–79"),
    ("age_80_plus", "80+"),
)
# The rows of the dashboard's population pyramid (category keys ``<gender>.<band>``).
AGE_BANDS = _AGE_BANDS
_GENDERS = (("female", "Vrouw", "Female"), ("male", "Man", "Male"), ("other", "Anders", "Other"))
_INSURERS = (
    ("achmea", "Achmea", "Achmea"),
    ("vgz", "VGZ", "VGZ"),
    ("cz", "CZ", "CZ"),
    ("menzis", "Menzis", "Menzis"),
    ("dsw", "DSW", "DSW"),
    ("asr", "a.s.r.", "a.s.r."),
    ("zorg_en_zekerheid", "Zorg en Zekerheid", "Zorg en Zekerheid"),
    ("onvz", "ONVZ", "ONVZ"),
    ("salland", "Salland", "Salland"),
    ("caresq", "Caresq", "Caresq"),
    ("other", "Overige verzekeraars", "Other insurers"),
    ("self_pay", "Zelfbetalers", "Self-pay"),
)
_MIX_NL = (
    " Naast uw aandeel staat per categorie de mediaan van de aandelen van de praktijken in de "
    "groep (elke praktijk telt even zwaar); een gemiddelde tonen we niet, zodat er geen totaal "
    "van de groep uit terug te rekenen is. Daardoor tellen de medianen niet op tot 100 %."
)
_MIX_EN = (
    " Beside your share, each category shows the median of the practices' shares in the group "
    "(every practice weighs the same); no average is shown, so that no group total can be "
    "worked back from it. The medians therefore do not add up to 100 %."
)


def _cats(*triples) -> tuple[Category, ...]:
    return tuple(Category(*t) for t in triples)


MIXES: tuple[MixDefinition, ...] = (
    MixDefinition(
        "gender_age_mix",
        "Leeftijdsopbouw",
        "Age and gender mix",
        "patients",
        "Patiënten per geslacht en leeftijdsklasse (leeftijd op 1 januari) als aandeel van alle "
        "patiënten in de periode." + _MIX_NL,
        "Patients per gender and age band (age on 1 January) as a share of all patients in the "
        "period." + _MIX_EN,
        _cats(
            *(
                (f"{g}.{band}", f"{g_nl} {label}", f"{g_en} {label}")
                for g, g_nl, g_en in _GENDERS
                for band, label in _AGE_BANDS
            )
        ),
    ),
    MixDefinition(
        "chronic_mix",
        "Chronisch en niet-chronisch",
        "Chronic and non-chronic",
        "episodes",
        "Lopende klachten onder en buiten de chronische lijst als aandeel van alle lopende "
        "klachten." + _MIX_NL,
        "Active episodes under and outside the chronic list as a share of all active "
        "episodes." + _MIX_EN,
        _cats(
            ("chronic", "Chronisch", "Chronic"),
            ("non_chronic", "Niet-chronisch", "Non-chronic"),
        ),
    ),
    MixDefinition(
        "access_route_mix",
        "Toegang",
        "Access route",
        "episodes",
        "Nieuwe klachten per manier van binnenkomen (direct toegankelijk of verwezen door "
        "huisarts, specialist of ander) als aandeel van alle nieuwe klachten." + _MIX_NL,
        "New episodes per access route (direct access or referred by GP, specialist or other) "
        "as a share of all new episodes." + _MIX_EN,
        _cats(
            ("direct", "Direct toegankelijk", "Direct access"),
            ("gp", "Huisarts", "GP"),
            ("specialist", "Medisch specialist", "Medical specialist"),
            ("other", "Overige verwijzers", "Other referrers"),
        ),
    ),
    MixDefinition(
        "referral_mix",
        "Verwijzers",
        "Referrers",
        "episodes",
        "Verwezen nieuwe klachten per verwijzer als aandeel van alle verwezen nieuwe klachten "
        "(direct toegankelijke klachten tellen hier niet mee)." + _MIX_NL,
        "Referred new episodes per referrer as a share of all referred new episodes (direct "
        "access episodes are left out)." + _MIX_EN,
        _cats(
            ("gp", "Huisarts", "GP"),
            ("specialist", "Medisch specialist", "Medical specialist"),
            ("other", "Overige verwijzers", "Other referrers"),
        ),
    ),
    MixDefinition(
        "dcsph_mix",
        "Diagnosemix",
        "Diagnosis mix",
        "episodes",
        "Lopende klachten per lichaamsregio (de groep van de DCSPH-code) als aandeel van alle "
        "lopende klachten." + _MIX_NL,
        "Active episodes per body region (the group of the DCSPH code) as a share of all active "
        "episodes." + _MIX_EN,
        _cats(
            ("head_neck", "Hoofd en hals", "Head and neck"),
            ("thorax_abdomen", "Borst en buik", "Thorax and abdomen"),
            ("spine", "Wervelkolom", "Spine"),
            ("shoulder_arm_hand", "Schouder, arm en hand", "Shoulder, arm and hand"),
            ("pelvis_leg_foot", "Bekken, been en voet", "Pelvis, leg and foot"),
            ("generalised", "Gegeneraliseerd / meerdere", "Generalised / multiple"),
        ),
    ),
    MixDefinition(
        "insurer_patient_mix",
        "Verzekeraarsmix (patiënten)",
        "Insurer mix (patients)",
        "insurers",
        "Patiënten per verzekeraarsconcern als aandeel van alle patiënten." + _MIX_NL,
        "Patients per insurer concern as a share of all patients." + _MIX_EN,
        _cats(*_INSURERS),
    ),
    MixDefinition(
        "insurer_revenue_mix",
        "Verzekeraarsmix (omzet)",
        "Insurer mix (revenue)",
        "insurers",
        "Omzet per verzekeraarsconcern als aandeel van de totale omzet." + _MIX_NL,
        "Revenue per insurer concern as a share of total revenue." + _MIX_EN,
        _cats(*_INSURERS),
    ),
    MixDefinition(
        "session_type_mix",
        "Prestatiemix",
        "Session types",
        "treatments",
        "Zittingen per soort prestatie (NZa-prestatiecode) als aandeel van alle zittingen."
        + _MIX_NL,
        "Sessions per performance type (NZa code) as a share of all sessions." + _MIX_EN,
        _cats(
            ("regular", "Reguliere zitting", "Regular session"),
            ("at_home", "Aan huis", "At home"),
            ("institution", "In een instelling", "In an institution"),
            ("paediatric", "Kinderfysiotherapie", "Paediatric"),
            ("screening_intake", "Screening en intake", "Screening and intake"),
            ("intake_referral", "Intake na verwijzing", "Intake after referral"),
            ("telephone", "Telefonisch", "Telephone"),
            ("group", "Groepsbehandeling", "Group session"),
            ("manual_therapy", "Manuele therapie", "Manual therapy"),
            ("oedema", "Oedeemtherapie", "Oedema therapy"),
            ("pelvic", "Bekkenfysiotherapie", "Pelvic physiotherapy"),
            ("other", "Overige prestaties", "Other"),
        ),
    ),
    MixDefinition(
        "payer_mix",
        "Betalers",
        "Payers",
        "finance",
        "Omzet per betaler (basisverzekering, aanvullende verzekering, zelfbetaler) als aandeel "
        "van de totale omzet." + _MIX_NL,
        "Revenue per payer (basic insurance, supplementary insurance, self-pay) as a share of "
        "total revenue." + _MIX_EN,
        _cats(
            ("basic", "Basisverzekering", "Basic insurance"),
            ("supplementary", "Aanvullende verzekering", "Supplementary insurance"),
            ("self_pay", "Zelfbetaler", "Self-pay"),
        ),
    ),
)

# Per insurer concern (Verzekeraars): what the export carries per concern — distinct patients,
# active episodes and revenue — turned into patients, episodes per patient and revenue per
# patient. Sessions are not exported per concern, so sessions per patient and revenue per session
# per insurer cannot be computed (docs/dashboard.md). Stored after the support columns.
# Self-pay is no insurer: what patients pay themselves is the self-pay share of the Financiën tab.
INSURER_CONCERNS: tuple[Category, ...] = _cats(*(i for i in _INSURERS if i[0] != "self_pay"))
INSURER_MEASURES: tuple[KpiDefinition, ...] = (
    _kpi(
        "patients",
        "Patiënten",
        "Patients",
        "aantal",
        "insurers",
        None,
        "int",
        "Verschillende patiënten met ten minste één zitting in de periode, bij deze "
        "verzekeraar verzekerd.",
        "Distinct patients with at least one session in the period, insured with this insurer.",
    ),
    _kpi(
        "episodes_per_patient",
        "Klachten per patiënt",
        "Episodes per patient",
        "aantal",
        "insurers",
        None,
        "dec2",
        "Lopende klachten van patiënten van deze verzekeraar gedeeld door die patiënten.",
        "Active episodes of this insurer's patients divided by those patients.",
    ),
    _kpi(
        "revenue_per_patient",
        "Omzet per patiënt",
        "Revenue per patient",
        "€",
        "insurers",
        None,
        "eur",
        "Omzet bij deze verzekeraar gedeeld door haar patiënten.",
        "Revenue from this insurer divided by its patients.",
    ),
)


def insurer_column(concern: str, measure: str) -> str:
    return f"insurer.{concern}.{measure}"


INSURER_COLUMNS: tuple[str, ...] = tuple(
    insurer_column(concern.key, measure.code)
    for concern in INSURER_CONCERNS
    for measure in INSURER_MEASURES
)

# The case-mix adjusted indices (format 1.1, docs/statistics.md §9): not stored, computed when a
# page is read from the practice's own cells and the stored national reference rates, and shown
# beside the crude KPI they adjust (``casemix.CRUDE_KPIS``).
_INDEX_NOTE_NL = (
    " 1,00 is precies wat de landelijke cijfers van dezelfde periode bij uw mix van klachten "
    "verwachten (chronisch of niet × lichaamsregio × leeftijdsklasse); 1,10 is 10 % meer. "
    "Berekend als waargenomen ÷ verwacht (indirecte standaardisatie), met een 95 %-interval; "
    "alleen bij een export in formaat 1.1."
)
_INDEX_NOTE_EN = (
    " 1.00 is exactly what the national figures of the same period expect for your mix of "
    "episodes (chronic or not × body region × age band); 1.10 is 10 % more. Computed as "
    "observed ÷ expected (indirect standardisation), with a 95 % interval; only for an export in "
    "format 1.1."
)
CASEMIX_INDEXES: tuple[KpiDefinition, ...] = (
    _kpi(
        "sessions_per_episode_index",
        "Behandelgemiddelde, gecorrigeerd voor casemix (index)",
        "Sessions per episode, adjusted for case mix (index)",
        "",
        "treatments",
        None,
        "dec2",
        "Uw zittingen van de in de periode afgesloten klachten gedeeld door het aantal dat "
        "landelijk bij dezelfde klachten hoort: per casemixcel uw afgesloten klachten × het "
        "landelijke behandelgemiddelde van die cel." + _INDEX_NOTE_NL,
        "Your sessions of the episodes closed in the period divided by the number the national "
        "figures expect for the same episodes: per case-mix cell your closed episodes × the "
        "national sessions per episode of that cell." + _INDEX_NOTE_EN,
    ),
    _kpi(
        "duration_index",
        "Behandelduur, gecorrigeerd voor casemix (index)",
        "Treatment duration, adjusted for case mix (index)",
        "",
        "treatments",
        None,
        "dec2",
        "De dagen van eerste tot laatste zitting van uw in de periode afgesloten klachten, "
        "opgeteld, gedeeld door wat landelijk bij dezelfde klachten hoort: per casemixcel uw "
        "afgesloten klachten × de landelijke gemiddelde duur van die cel." + _INDEX_NOTE_NL,
        "The days from first to last session of your episodes closed in the period, added up, "
        "divided by what the national figures expect for the same episodes: per case-mix cell "
        "your closed episodes × the national mean duration of that cell." + _INDEX_NOTE_EN,
    ),
)
# Which index stands beside which crude KPI, by measure (``casemix.MEASURES``).
INDEX_OF_MEASURE = {"sessions": "sessions_per_episode_index", "duration": "duration_index"}
INDEX_BY_CODE = {k.code: k for k in CASEMIX_INDEXES}
KPI_BY_CODE = {k.code: k for k in KPIS}
MIX_BY_CODE = {m.code: m for m in MIXES}
BASE_KPIS = tuple(k for k in KPIS if k.growth_of is None)
GROWTH_KPIS = tuple(k for k in KPIS if k.growth_of is not None)

# Not shown, but needed for a KPI's interval and funnel (``uncertainty.py``): the denominators
# the stored KPIs do not carry themselves, and the spread behind the means. Named "support.*".
SUPPORT_COLUMNS: tuple[str, ...] = (
    "support.closed_episodes",
    "support.closed_episodes_chronic",
    "support.closed_episodes_non_chronic",
    "support.routed_new_episodes",
    "support.waiting_episodes",
    "support.appointments",
    "support.sessions_per_episode_sd",
    "support.sessions_per_episode_chronic_sd",
    "support.sessions_per_episode_non_chronic_sd",
    # Outcome measures (format 1.1): measured episodes and the spread of the change, per instrument.
    "support.nprs_measured",
    "support.nprs_change_sd",
    "support.psk_measured",
    "support.psk_change_sd",
)
# What is stored per practice and window, in this order (named by its layout, see the docstring).
STORED_COLUMNS: tuple[str, ...] = (
    tuple(k.code for k in BASE_KPIS)
    + tuple(column for mix in MIXES for column in mix.columns)
    + SUPPORT_COLUMNS
    + INSURER_COLUMNS
)
# What statistics are computed for: the stored columns plus the derived growth KPIs.
COLUMNS: tuple[str, ...] = STORED_COLUMNS + tuple(k.code for k in GROWTH_KPIS)
COLUMN_INDEX = {code: i for i, code in enumerate(COLUMNS)}
