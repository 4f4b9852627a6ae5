"""Code lists of the format, kept as data in one place.

Why here and not in the client: the portal explains the same categories on the dashboard, so the
names of the categories (the keys of the export) and the codes that map onto them must be one
source of truth. Adding a code to a list below is a data change, not a format change; adding a
category is a new format version.
"""

from typing import Final

# --- Gender and age ------------------------------------------------------------------------------

GENDERS: Final = ("female", "male", "other")
GENDER_BY_RECORD_CODE: Final = {"F": "female", "M": "male", "X": "other"}

# Age bands (inclusive lower bound, inclusive upper bound or None for "and older").
AGE_BANDS: Final = (
    ("age_0_17", 0, 17),
    ("age_18_29", 18, 29),
    ("age_30_39", 30, 39),
    ("age_40_49", 40, 49),
    ("age_50_59", 50, 59),
    ("age_60_69", 60, 69),
    ("age_70_79", 70, 79),
    ("age_80_plus", 80, None),
)
AGE_BAND_NAMES: Final = tuple(name for name, _, _ in AGE_BANDS)


def age_band(age: int) -> str:
    """The band of an age in whole years; a negative age (born after the reference day) is 0."""
    if age < 18:
        return "age_0_17"
    if age >= 80:
        return "age_80_plus"
    if age < 30:
        return "age_18_29"
    return AGE_BANDS[age // 10 - 1][0]


# --- Episodes ------------------------------------------------------------------------------------

ACCESS_ROUTES: Final = ("direct", "gp", "specialist", "other")
END_REASONS: Final = ("regular", "patient_stopped", "referred", "other")

# DCSPH body-location group by the FIRST digit of the 4-digit code (domain brief §5). The digits
# 0 and 8 are not location groups of the DCSPH and are refused as unknown codes.
DCSPH_GROUPS: Final = (
    "head_neck",
    "thorax_abdomen",
    "spine",
    "shoulder_arm_hand",
    "pelvis_leg_foot",
    "generalised",
)
DCSPH_GROUP_BY_FIRST_DIGIT: Final = {
    "1": "head_neck",
    "2": "thorax_abdomen",
    "3": "spine",
    "4": "shoulder_arm_hand",
    "5": "shoulder_arm_hand",
    "6": "pelvis_leg_foot",
    "7": "pelvis_leg_foot",
    "9": "generalised",
}


def dcsph_group(code: str) -> str | None:
    """The location group of a 4-digit DCSPH code, or None when the code is not one."""
    if len(code) != 4 or not code.isdigit():
        return None
    return DCSPH_GROUP_BY_FIRST_DIGIT.get(code[0])


# --- Sessions ------------------------------------------------------------------------------------

PAYERS: Final = ("basic", "supplementary", "self_pay")

SESSION_TYPES: Final = (
    "regular",
    "at_home",
    "institution",
    "paediatric",
    "screening_intake",
    "intake_referral",
    "telephone",
    "group",
    "manual_therapy",
    "oedema",
    "pelvic",
    "other",
)

# NZa performance codes (prestatiecodes) → session type. Only codes named in the domain brief;
# a 4-digit code that is not listed counts as "other" and gives a warning in the records report.
# The group, manual-therapy, oedema and pelvic codes get their entries once confirmed against the
# NZa list; their categories already exist so that adding them is not a format change.
SESSION_TYPE_BY_PERFORMANCE_CODE: Final = {
    "1000": "regular",
    "1001": "at_home",
    "1002": "institution",
    "1100": "paediatric",
    "1101": "paediatric",
    "1102": "paediatric",
    "1103": "paediatric",
    "1104": "paediatric",
    "1105": "paediatric",
    "1864": "screening_intake",
    "1870": "intake_referral",
    "1871": "intake_referral",
    "1920": "telephone",
}

# --- Insurers ------------------------------------------------------------------------------------

# Insurer concerns (domain brief §5) plus "other" (an insurer not in the list below) and
# "self_pay" (no insurer: the patient pays himself).
INSURER_CONCERNS: Final = (
    "achmea",
    "vgz",
    "cz",
    "menzis",
    "dsw",
    "asr",
    "zorg_en_zekerheid",
    "onvz",
    "salland",
    "caresq",
    "other",
)
INSURER_BUCKETS: Final = (*INSURER_CONCERNS, "self_pay")

# UZOVI code → concern. Only codes we could confirm from a published contract grouping of the
# concerns; every other 4-digit code maps to "other" with a warning in the records report, unless
# the practice records name the concern themselves (the optional insurer_concern column, which
# wins). Extend this table (data only) as codes are confirmed against the Vektis UZOVI register.
CONCERN_BY_UZOVI: Final = {
    # Achmea
    "3311": "achmea",  # Zilveren Kruis Zorgverzekeringen
    "3313": "achmea",  # Interpolis Zorgverzekeringen
    "3351": "achmea",  # FBTO Zorgverzekeringen
    "3358": "achmea",  # De Friesland Zorgverzekeraar
    "9086": "achmea",  # Pro Life Zorgverzekeringen
    # Coöperatie VGZ
    "7095": "vgz",  # VGZ Zorgverzekeraar
    "0101": "vgz",  # Univé Zorg
    "0699": "vgz",  # IZA Zorgverzekeraar
    "0736": "vgz",  # Zorgverzekeraar UMC
    "3334": "vgz",  # IZA-VNG
    "3361": "vgz",  # Zekur
    # ONVZ
    "3343": "onvz",  # ONVZ Ziektekostenverzekeraar
    "3365": "onvz",  # ONVZ Expats
}


def insurer_concern(uzovi: str) -> str:
    """The concern of a UZOVI code; "self_pay" for no insurer, "other" for an unlisted code."""
    if not uzovi:
        return "self_pay"
    return CONCERN_BY_UZOVI.get(uzovi, "other")


# --- Histograms ----------------------------------------------------------------------------------

# Integer bins 0 … N-1 and one overflow bin "N or more" as the last element.
SESSIONS_BINS: Final = 100  # 0 … 99 sessions, then 100+
WEEKS_BINS: Final = 104  # 0 … 103 weeks, then 104+
WAITING_DAYS_BINS: Final = 90  # 0 … 89 days, then 90+

# --- Case mix (format 1.1) -----------------------------------------------------------------------

# Closed episodes are counted per cell of chronic or not × DCSPH location group × age band, so the
# portal can compute what a practice's figures would be with the national figures of its own mix
# (indirect standardisation, docs/statistics.md). Four age bands, coarser than the patients' eight:
# every cell of a typical practice's year then holds episodes, and these four are where sessions
# per episode change (children, working age, the older working age, pensioners). Gender is left out:
# it hardly changes sessions per episode once age and complaint are known, and it would double the
# cells (docs/decisions.md).
CASE_MIX_SIDES: Final = ("chronic", "non_chronic")
CASE_MIX_AGE_BANDS: Final = (
    ("age_0_17", 0, 17),
    ("age_18_44", 18, 44),
    ("age_45_64", 45, 64),
    ("age_65_plus", 65, None),
)
CASE_MIX_AGE_BAND_NAMES: Final = tuple(name for name, _, _ in CASE_MIX_AGE_BANDS)


def case_mix_age_band(age: int) -> str:
    """The case-mix band of an age in whole years (a negative age counts as 0)."""
    for name, _, high in CASE_MIX_AGE_BANDS:
        if high is None or age <= high:
            return name
    raise AssertionError("the last band is open")  # pragma: no cover


# --- Outcome measures (format 1.1) ---------------------------------------------------------------

# Patient-reported outcome measures: both score 0–10, higher = worse (more pain, more difficulty).
# NPRS: Numeric Pain Rating Scale, whole points. PSK: Patiënt Specifieke Klachten (the Dutch
# Patient-Specific Functional Scale), the mean of the patient's (up to three) activity scores,
# in tenths. In the export every score is in tenths of a point (NPRS 7 = 70).
OUTCOME_INSTRUMENTS: Final = ("nprs", "psk")
OUTCOME_SCORE_MAX_TENTHS: Final = 100


def clinically_improved(instrument: str, baseline_tenths: int, final_tenths: int) -> bool:
    """Whether the change from the first to the last score is a clinically relevant improvement.

    NPRS: a drop of at least 2 points or at least 30 % of the first score (Farrar et al., Pain
    2001;94:149–158; IMMPACT, Dworkin et al., J Pain 2008;9:105–121). PSK: a drop of at least
    2 points on the mean activity score (Stratford et al., Physiother Can 1995;47:258–263; Abbott &
    Schmitt, JOSPT 2014;44:560–564 found 1.3–2.7 for small to large change). docs/statistics.md §10.
    """
    drop = baseline_tenths - final_tenths
    if drop >= 20:
        return True
    if instrument == "nprs":
        return baseline_tenths > 0 and 10 * drop >= 3 * baseline_tenths
    if instrument == "psk":
        return False
    raise ValueError(f"unknown instrument {instrument!r}")
