"""Demo registrations for 2012–2024, shaped like the published 1712 figures.

`demo_years_create(years, seed=...)` writes, for each year, contacts with their reported
persons, forms of violence and referrals whose counts are exact by construction: every
coded field is allocated per code with largest-remainder rounding and then shuffled, so the
yearly totals below are hit to the unit and the shares to a rounding. The generator is
deterministic: one `random.Random` per (seed, year), so a year comes out the same whether it
is generated alone or with the others.

Where every figure comes from (seeds in `/work/shared/seeds`, Dutch originals):

- `000` = answer to parliamentary question nr. 432 (9 March 2022): table 1.a (contacts
  "Aantal meldingen", person rows "Aantal gemelde personen", caller age -12 / +12 /
  Meerderjarig) and 1.b (caller role) for 2016–2021; table 2.a (main problem per reported
  person) for 2016–2020 and for 2021 (with "Aantal meldingen zonder GP 241"); 2.b: "the last
  ten years [2012–2021] 51.699 unique calls about 66.069 reported persons", "one call in three
  by e-mail or chat".
- `001` = the 1712 annual report 2024: 9.594 calls, 13.281 reported persons, +2% / +4% against
  2023, +276% / +514% against 2012; caller age group, gender, anonymity; relation groups
  (self 36%, "a little over half" close to the victim, ~8% work or leisure, "almost 3%"
  perpetrator side); person gender and age bands; the sixteen main problems; the context
  roll-up; forms of violence; channel overall, by caller age group and by caller gender;
  referrals. It is a PDF extraction: labels and figures of a chart are printed apart. Where the
  order is ambiguous, the reading used here is stated next to the figure.
- `002` = answer on the opening hours: Thursday evening 17–19 from 1 October 2018, chat from
  "begin 2019" (so no chat contacts before 2019).
- `003` = answer to parliamentary question nr. 282 (24 January 2022), 2020 tables: month ×
  channel (with the August e-mail misprint "20" read as 90, domain.md), month × caller gender,
  caller age, the relation code table, the context table; "ruim driekwart" of callers
  anonymous (about 2021).

Yearly contacts / reported persons (`totals.persons`: reported persons, not person rows) /
contacts without a reported person:

- 2016–2020: 000 table 1.a. Those years' problem tables (2.a) have no "without GP" row and
  sum exactly to the published person count, so that count is taken as reported persons and
  the demo has no contact without a reported person in those years.
- 2021: 8.515 contacts, 11.312 person rows = 11.071 reported persons + 241 without (000 2.a).
- 2024: 9.594 / 13.281 (001); 60 contacts without a reported person (not published; kept small
  so that the printed shares hold whichever total a report divides by).
- 2023: 9.594 / 1,02 = 9.406 contacts and 13.281 / 1,04 = 12.770 persons (001, "+2% / +4%").
- 2012: 9.594 / 3,76 = 2.552 contacts and 13.281 / 6,14 = 2.163 persons (001, "+276% /
  +514%"): fewer persons than contacts, so 2012 has contacts without a reported person.
- 2013–2015 (interpolated): chosen so that 2012–2021 add up to 000 2.b's ten-year totals,
  51.699 contacts and 66.069 person rows (persons + contacts without one, Parliament's
  convention in domain.md), rising smoothly from 2012 to 2016.
- 2022 (interpolated): halfway between 2021 and 2023.

Everything not published (times of day, teams, regions, duration, handling, the split of a
published group over its codes, the spread of persons over contacts) is a plausible choice,
marked "assumed" below.
"""

from __future__ import annotations

import heapq
import random
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction

from audit.history import skip_row_history

DEMO_PREFIX = "demo-"
DEMO_YEARS = range(2012, 2025)
DEFAULT_SEED = 1712
BRUSSELS = ZoneInfo("Europe/Brussels")
BATCH = 2000
LEEG = None  # an empty (Leeg) coded field

Weights = dict[str | None, float]

# --------------------------------------------------------------------------------------------
# Yearly totals: year -> (contacts, reported persons, contacts without a reported person).
# --------------------------------------------------------------------------------------------
YEAR_TOTALS: dict[int, tuple[int, int, int]] = {
    2012: (2552, 2163, 420),  # 001 (+276% / +514%); 420 without a person: assumed (at least 389 needed)
    2013: (3904, 3700, 250),  # interpolated under 000 2.b's ten-year totals
    2014: (4236, 4240, 150),  # interpolated
    2015: (4490, 4745, 100),  # interpolated
    2016: (4596, 6272, 0),  # 000 1.a
    2017: (4812, 6792, 0),  # 000 1.a
    2018: (5126, 7218, 0),  # 000 1.a
    2019: (5409, 7402, 0),  # 000 1.a
    2020: (8059, 11305, 0),  # 000 1.a; 003 (every 2020 table sums to 8.059 / 11.305)
    2021: (8515, 11071, 241),  # 000 1.a and 2.a (11.312 person rows = 11.071 + 241 without GP)
    2022: (8961, 11920, 150),  # interpolated between 2021 and 2023
    2023: (9406, 12770, 100),  # 001: 2024 is +2% contacts, +4% persons on 2023
    2024: (9594, 13281, 60),  # 001: 9.594 oproepen, 13.281 gemelde personen
}

# --------------------------------------------------------------------------------------------
# Contact-level figures
# --------------------------------------------------------------------------------------------

# 000 1.a: caller age -12 / +12 / Meerderjarig; the rest of the year's contacts is Onduidelijk or
# Leeg (2020: 57 + 16 in 003). The old system had no finer adult age, so legacy adults are
# `adult_unknown` (domain.md: the old reports could not give 65+).
CALLER_AGE_LEGACY = {  # year: (under_12, 12_17, adult)
    2016: (2, 30, 4104),
    2017: (16, 132, 4588),
    2018: (15, 111, 4932),
    2019: (71, 192, 5091),
    2020: (44, 337, 7605),
    2021: (25, 604, 7816),
}
CALLER_AGE_2020_UNKNOWN = (57, 16)  # 003: Onduidelijk 57, "-" (Leeg) 16

# 001: adults 89%, minors 9% ("net geen 10%"), unknown 2%. The split over codes is assumed.
CALLER_AGE_2024: Weights = {
    "under_12": 0.8,
    "12_17": 6.5,
    "minor_unknown": 1.7,
    "18_64": 77.5,
    "65_plus": 3.0,
    "adult_unknown": 8.5,
    "unknown": 1.8,
    LEEG: 0.2,
}
# 2012–2015 (assumed): like 2016–2017, few minors.
CALLER_AGE_EARLY: Weights = {"under_12": 0.2, "12_17": 1.5, "adult_unknown": 95.5, "unknown": 2.2, LEEG: 0.6}

# 001: Vrouw 73%, Man 26%, Non-binair of anders 0,5%, Onbekend 1,4% (sums to 100,9: rounded
# figures). These counts of 9.594 round to exactly the printed figures and sum to 9.594.
CALLER_GENDER_2024: Weights = {"female": 6961, "male": 2451, "nonbinary_other": 48, "unknown": 134}
# 003, 2020 caller gender per month: Mannelijk | Vrouwelijk | Onbekend (Leeg = month total − sum).
MONTH_X_CALLER_GENDER_2020 = {
    "01": (132, 395, 5),
    "02": (146, 422, 1),
    "03": (158, 404, 3),
    "04": (251, 706, 9),
    "05": (186, 549, 7),
    "06": (180, 521, 11),
    "07": (185, 469, 11),
    "08": (172, 502, 9),
    "09": (141, 417, 7),
    "10": (187, 465, 11),
    "11": (183, 527, 7),
    "12": (167, 492, 5),
}

# 003, 2020 contacts per month: Telefoon | E-mail | Chat | Leeg (August e-mail 90, not 20).
MONTH_X_CHANNEL_2020 = {
    "01": (422, 90, 21, 0),
    "02": (421, 124, 24, 0),
    "03": (423, 113, 29, 0),
    "04": (634, 225, 108, 0),
    "05": (509, 143, 90, 0),
    "06": (512, 120, 81, 0),
    "07": (464, 111, 90, 0),
    "08": (493, 90, 100, 0),
    "09": (398, 93, 74, 1),
    "10": (459, 111, 97, 3),
    "11": (512, 115, 91, 0),
    "12": (455, 105, 106, 2),
}
# Channel shares for the other years (assumed, anchored on the seeds): e-mail rising towards
# 2020's 18% (003), chat only from 2019 (002), "one in three by e-mail or chat" about 2021
# (000 2.b), 2024's 60 / 27 / 13 (001). A handful of Leeg, like 2020's 6 (003).
CHANNEL_BY_YEAR: dict[int, Weights] = {
    2012: {"phone": 87.0, "email": 12.95},
    2013: {"phone": 86.0, "email": 13.95},
    2014: {"phone": 85.0, "email": 14.95},
    2015: {"phone": 84.0, "email": 15.95},
    2016: {"phone": 83.0, "email": 16.95},
    2017: {"phone": 82.0, "email": 17.95},
    2018: {"phone": 81.5, "email": 18.45},
    2019: {"phone": 74.0, "email": 17.95, "chat": 8.0},
    2021: {"phone": 66.0, "email": 15.95, "chat": 18.0},
    2022: {"phone": 62.0, "email": 13.95, "chat": 24.0},
    2023: {"phone": 61.0, "email": 13.45, "chat": 25.5},
    2024: {"phone": 60.0, "email": 12.95, "chat": 27.0},
}
CHANNEL_LEEG = 0.05
# 001, channel by caller age group. Adults: "MEERDERJARIG Chat Mail Telefoon 22% 13% 65%".
# Minors print "10% 11% 79%"; read in the adults' legend order that would make minors phone
# 79%, against the text ("minderjarigen geven opvallend vaker de voorkeur aan chat"), so minors
# are read as phone 10, e-mail 11, chat 79 — which also makes the overall 60 / 27 / 13 add up.
# Unknown age: what remains of the overall 60 / 27 / 13 (derived).
CHANNEL_BY_AGE_GROUP_2024 = {
    "adult": {"phone": 65.0, "chat": 22.0, "email": 13.0},
    "minor": {"phone": 10.0, "chat": 79.0, "email": 11.0},
    "unknown": {"phone": 62.0, "chat": 16.0, "email": 22.0},
}
# 001, channel by caller gender: "MAN VROUW NON-BINAIR ... 63% 60% 78% 10% 12% 12% 28% 14% 23%".
# Read as the assignment that makes each gender sum to 100 and fits the overall shares: man
# phone 63 / chat 23 / e-mail 14, woman 60 / 28 / 12, non-binary chat 78 / phone 10 / e-mail 12.
CHANNEL_BY_GENDER_2024 = {
    "male": {"phone": 63.0, "chat": 23.0, "email": 14.0},
    "female": {"phone": 60.0, "chat": 28.0, "email": 12.0},
    "nonbinary_other": {"phone": 10.0, "chat": 78.0, "email": 12.0},
}

# 001: anonymous Ja 47%, Neen 25%, Onbekend 28%. 003 (about 2021): "ruim driekwart" of callers
# anonymous; used for the legacy years (the old system rarely left it unknown: assumed).
ANONYMOUS_2024: Weights = {"yes": 47.0, "no": 25.0, "unknown": 27.6, LEEG: 0.4}
ANONYMOUS_LEGACY: Weights = {"yes": 76.5, "no": 21.5, "unknown": 1.5, LEEG: 0.5}

# 003, 2020 relation table. Its four blank cells (2300, 2400, 4200, 4999) must hold the 21
# contacts that make the printed rows add up to 8.059 (and the bystanders to 000 1.b's 5.200);
# spread over them here (assumed). Also the split of each group over its codes in other years.
RELATION_2020: Weights = {
    "1100": 2708, "1200": 1650, "1300": 191, "1400": 376, "1500": 592, "1600": 804, "1700": 566,
    "1800": 59, "1999": 406,
    "2100": 64, "2200": 21, "2300": 6, "2400": 3, "2500": 12, "2600": 47, "2700": 62, "2800": 7,
    "2999": 19,
    "3100": 65, "3200": 7, "3999": 12, "4100": 24, "4200": 8, "4999": 4, "5100": 20, "5200": 3,
    "5999": 3, "6100": 46, "6200": 128, "6300": 7, "6999": 39, "7000": 13,
    "9999": 81, LEEG: 6,
}  # fmt: skip
# 000 1.b: (perpetrator, victim, bystander); unknown = contacts − the three.
CALLER_ROLE_LEGACY = {
    2016: (33, 1038, 3474),
    2017: (38, 1123, 3588),
    2018: (59, 1168, 3831),
    2019: (38, 1562, 3719),
    2020: (64, 2708, 5200),
    2021: (55, 3035, 5372),
}
# 001: self victim 36%, "iets meer dan de helft" close to the victim, "ongeveer 8%" work or
# leisure, "bijna 3%" perpetrator or someone close to them; the rest unknown (assumed).
RELATION_GROUPS_2024 = {
    "self": 36.0,
    "close_to_victim": 52.5,
    "work_leisure": 8.0,
    "perpetrator_side": 2.8,
    "unknown": 0.7,
}

# Teams (assumed, roughly by population) and the phone menu region of each team (domain.md).
TEAM_WEIGHTS: Weights = {
    "noord-west-vlaanderen": 18,
    "oost-vlaanderen": 22,
    "antwerpen": 26,
    "limburg": 12,
    "oost-brabant": 22,
}
TEAM_REGION = {
    "noord-west-vlaanderen": "west-vlaanderen",
    "oost-vlaanderen": "oost-vlaanderen",
    "antwerpen": "antwerpen",
    "limburg": "limburg",
    "oost-brabant": "vlaams-brabant-brussel",
}

# Contacts per month when no table is published (assumed: a mild summer and December dip).
MONTH_PROFILE: Weights = {
    "01": 8.3, "02": 8.1, "03": 8.6, "04": 8.5, "05": 8.6, "06": 8.3,
    "07": 7.9, "08": 7.8, "09": 8.4, "10": 8.7, "11": 8.6, "12": 8.2,
}  # fmt: skip

# --------------------------------------------------------------------------------------------
# Person-level figures
# --------------------------------------------------------------------------------------------

# 000 2.a, main problem per reported person, 2016–2020 (old codes; Leeg included).
PROBLEM_LEGACY_CODES = [
    "child_abuse", "partner_violence", "violence_between_minors", "violence_against_adults",
    "parent_abuse", "elder_abuse", "trauma_processing", "divorce_problems", "ritual_violence",
    "honour_violence", "other_problem", LEEG,
]  # fmt: skip
PROBLEM_LEGACY = {
    2016: (3819, 724, 194, 591, 51, 204, 101, 40, 0, 1, 257, 290),
    2017: (4251, 946, 164, 339, 100, 195, 130, 271, 2, 7, 362, 25),
    2018: (4490, 1015, 153, 458, 103, 159, 98, 376, 1, 7, 354, 4),
    2019: (4411, 1140, 193, 546, 157, 179, 91, 335, 1, 6, 331, 12),
    2020: (6407, 2110, 239, 887, 198, 207, 239, 428, 1, 8, 539, 42),
}
# 000 2.a, 2021 (the switch year: old codes before 2021-07-01, new ones after). "Ritueel geweld +
# Eergerelateerd geweld 5" is one row there; split here (assumed) as 1 ritual + 2 honour before
# the switch and 2 ritual_honour_violence after it.
PROBLEM_2021: Weights = {
    "child_abuse": 5833, "partner_violence": 2070, "violence_between_minors": 225,
    "violence_against_adults": 489, "intrafamily_adult_violence": 187, "extrafamily_adult_violence": 232,
    "parent_abuse": 198, "elder_abuse": 209, "trauma_processing": 231, "divorce_problems": 464,
    "homo_transphobic_violence": 1, "stalking": 91, "ritual_violence": 1, "honour_violence": 2,
    "ritual_honour_violence": 2, "institutional_abuse": 8, "other_violence": 71, "other_problem": 501,
    LEEG: 256,
}  # fmt: skip
# 001, the sixteen main problems in the order printed, as shares of the coded persons (they sum
# to 99,99%). Leeg is kept tiny so the printed shares hold within a tenth of a point.
PROBLEM_2024: Weights = {
    "child_abuse": 58.08,
    "partner_violence": 14.53,
    "extrafamily_adult_violence": 4.26,
    "divorce_problems": 3.77,
    "intrafamily_adult_violence": 3.74,
    "violence_between_minors": 3.63,
    "other_problem": 3.41,
    "parent_abuse": 2.12,
    "trauma_processing": 1.90,
    "elder_abuse": 1.88,
    "stalking": 1.19,
    "other_violence": 1.19,
    "institutional_abuse": 0.20,
    "homo_transphobic_violence": 0.05,
    "ritual_honour_violence": 0.02,
    "not_categorised": 0.02,
}
PROBLEM_2024_LEEG = 0.1

# 003, 2020 context table (persons; Leeg 42).
CONTEXT_2020: Weights = {
    "separated_nuclear_family": 4251, "nuclear_family": 4319, "extended_family": 663, "foster_family": 23,
    "youth_institution": 23, "care_home": 16, "psychosocial": 64, "medical": 23, "sport": 36,
    "leisure": 192, "school": 104, "work": 65, "religion": 7, "other_context": 302,
    "unknown": 1175, LEEG: 42,
}  # fmt: skip
# 001: intrafamiliaal 85%, extrafamiliaal 11%, onbekend 4% (Leeg rolls up to unknown).
CONTEXT_ROLLUP_2024 = {"intrafamilial": 85.0, "extrafamilial": 11.0, "unknown": 4.0}
CONTEXT_2024_LEEG = 0.2

# 001, person gender: Vrouw 52%, Man 30%, Onbekend 18%, Non-binair of anders 0,33% (sums to
# 100,33: rounded). Shares chosen inside each printed figure's rounding interval, summing to 100.
PERSON_GENDER_2024: Weights = {"female": 51.7, "male": 29.85, "nonbinary_other": 0.33, "unknown": 18.02, LEEG: 0.1}
# 001, person age: Ongeboren 0,35%, 0-2 6%, 3-6 13%, 7-12 20%, 13-17 15%, Onbekend minderjarig 8%,
# 18-59 22%, 60+ 5%, Onbekend meerderjarig 11%, Onbekend 0,02% (minors "63%"). Shares chosen
# inside each printed figure's rounding interval so that minors are 63% and all sum to 100.
PERSON_AGE_2024: Weights = {
    "unborn": 0.35,
    "0_2": 6.3,
    "3_6": 13.2,
    "7_12": 20.2,
    "13_17": 15.0,
    "minor_unknown": 7.95,
    "18_59": 21.6,
    "60_plus": 4.8,
    "adult_unknown": 10.53,
    "unknown": 0.02,
    LEEG: 0.05,
}
# 001, forms of violence as shares of all mentions: emotional 38, physical 22, sexual 11,
# emotional and physical neglect 9 each, economic 6, other 3, unknown 1 (sums to 99: rounded;
# here inside each rounding interval, summing to 100).
VIOLENCE_FORMS_2024: Weights = {
    "emotional_violence": 38.4,
    "physical_violence": 22.3,
    "sexual_violence": 11.2,
    "emotional_neglect": 9.1,
    "physical_neglect": 9.0,
    "economic_violence": 6.0,
    "other": 3.0,
    "unknown": 1.0,
}
VIOLENCE_FORMS_PER_PERSON = {1: 0.55, 2: 0.33, 3: 0.12}  # assumed
# 001, referrals as shares of all mentions. Certain: police/justice 26,18, CAW 17,05, education
# 14,02, medical/psychological 11,81 (the text gives 26 / 17 / 14 / 12). The rest is printed
# apart from its labels; read in the label order, descending, with "Ander gevolg" last:
# information 7,51 (text "8%"), helplines 7,22 and VK/OCJ 6,65 (text "7%" each), Kind & Gezin
# 2,06, OCMW 0,69, self-help 0,16, commission 0,11, other 6,52.
REFERRALS_2024: Weights = {
    "police_justice": 26.18,
    "caw": 17.05,
    "education": 14.02,
    "medical_psychological": 11.81,
    "information_advice": 7.51,
    "helplines": 7.22,
    "vk_ocj": 6.65,
    "kind_en_gezin": 2.06,
    "ocmw": 0.69,
    "self_help": 0.16,
    "institutional_abuse_commission": 0.11,
    "other": 6.52,
}
REFERRALS_PER_PERSON = {0: 0.35, 1: 0.45, 2: 0.20}  # assumed

# Persons per contact with reported persons (assumed): mostly one, siblings often together.
PERSONS_PER_CONTACT = {2: 0.62, 3: 0.24, 4: 0.09, 5: 0.04, 6: 0.01}

# Share of legacy records with a date only (domain.md: legacy records may have no time).
DATE_ONLY_SHARE = {2012: 0.45, 2013: 0.40, 2014: 0.15, 2015: 0.10}
# Share of live-channel contacts registered outside the opening hours (assumed).
OUTSIDE_HOURS = {"phone": 0.05, "chat": 0.07}
# E-mail (any time of day): weight per local hour (assumed).
EMAIL_HOURS = [1, 1, 0.5, 0.5, 0.5, 1, 2, 4, 6, 7, 7, 7, 6, 6, 6, 6, 6, 6, 6, 7, 8, 8, 6, 3]
NEW_SYSTEM_FROM = 2022  # handling fields and follow-ups are recorded from this year (assumed)

# Affinities (assumed): how much more likely a code is in a group than on average. The marginals
# above stay exact-to-rounding; these only make the crosses believable.
MINORS = ("unborn", "0_2", "3_6", "7_12", "13_17", "minor_unknown")
ADULTS = ("18_59", "60_plus", "adult_unknown")


def _age_affinity(problem: str | None, age: str | None) -> float:
    if age is None or age == "unknown" or problem is None:
        return 1.0
    minor = age in MINORS
    if problem in ("child_abuse",):
        return 6.0 if minor else 0.08
    if problem in ("violence_between_minors",):
        return (12.0 if age in ("7_12", "13_17") else 2.0) if minor else 0.03
    if problem == "divorce_problems":
        return 3.0 if minor else 1.0
    if problem == "elder_abuse":
        return 60.0 if age == "60_plus" else (2.0 if age == "adult_unknown" else 0.01)
    if problem == "parent_abuse":
        return 0.02 if minor else (4.0 if age == "60_plus" else 3.0)
    if problem in ("partner_violence", "intrafamily_adult_violence", "extrafamily_adult_violence",
                   "violence_against_adults", "stalking"):  # fmt: skip
        if minor:
            return 0.4 if age == "13_17" else 0.03
        return 6.0 if age == "18_59" else 3.0
    if problem == "trauma_processing":
        return 0.6 if minor else 4.0
    return 1.0


def _gender_affinity(problem: str | None, gender: str | None) -> float:
    if problem in ("partner_violence", "stalking") and gender in ("female", "male"):
        return 3.5 if gender == "female" else 0.8
    if problem == "elder_abuse" and gender == "female":
        return 1.5
    return 1.0


def _context_affinity(problem: str | None, context: str | None, rollups: dict[str, str]) -> float:
    rollup = rollups.get(context or "", "unknown")
    if problem in ("extrafamily_adult_violence", "institutional_abuse", "violence_between_minors"):
        if problem == "institutional_abuse" and context in ("youth_institution", "care_home", "religion", "sport"):
            return 400.0
        if problem == "violence_between_minors" and context in ("school", "leisure", "sport"):
            return 60.0
        return 40.0 if rollup == "extrafamilial" else 0.05
    if problem in ("partner_violence", "intrafamily_adult_violence", "divorce_problems", "parent_abuse"):
        return 3.0 if rollup == "intrafamilial" else 0.05
    if problem == "elder_abuse" and context == "care_home":
        return 60.0
    return 1.0


VIOLENCE_AFFINITY = {
    "child_abuse": {"emotional_neglect": 2.0, "physical_neglect": 2.5, "sexual_violence": 1.2},
    "partner_violence": {"physical_violence": 1.5, "economic_violence": 2.5, "emotional_violence": 1.5},
    "elder_abuse": {"economic_violence": 6.0, "physical_neglect": 3.0},
    "institutional_abuse": {"sexual_violence": 6.0},
    "stalking": {"emotional_violence": 3.0, "other": 3.0},
    "other_problem": {"other": 6.0, "unknown": 6.0},
    "not_categorised": {"unknown": 10.0},
}
REFERRAL_AFFINITY = {
    "child_abuse": {"education": 3.0, "vk_ocj": 3.0, "kind_en_gezin": 3.0},
    "partner_violence": {"police_justice": 1.8, "caw": 2.0},
    "elder_abuse": {"ocmw": 8.0, "caw": 1.5},
    "institutional_abuse": {"institutional_abuse_commission": 200.0},
    "trauma_processing": {"medical_psychological": 3.0, "self_help": 5.0},
    "violence_between_minors": {"education": 4.0},
}


# --------------------------------------------------------------------------------------------
# Allocation helpers
# --------------------------------------------------------------------------------------------


def largest_remainder(weights: Weights, total: int) -> dict:
    """Return integer counts per key, proportional to weights and summing exactly to total."""
    items = [(key, weight) for key, weight in weights.items() if weight > 0]
    counts = {key: 0 for key in weights}
    if total <= 0 or not items:
        if total > 0:
            raise ValueError("cannot allocate a positive total over zero weights")
        return counts
    weight_sum = sum(weight for _, weight in items)
    quotas = [(key, weight * total / weight_sum) for key, weight in items]
    for key, quota in quotas:
        counts[key] = int(quota)
    rest = total - sum(counts.values())
    order = sorted(range(len(quotas)), key=lambda i: (-(quotas[i][1] - int(quotas[i][1])), i))
    for i in order[:rest]:
        counts[quotas[i][0]] += 1
    return counts


def fit_table(
    rows: dict[Hashable, int], target: Weights, affinity: Callable[[Hashable, str | None], float]
) -> dict[Hashable, dict]:
    """Iterative proportional fitting: expected counts per (row, code) matching both margins."""
    total = sum(rows.values())
    target_sum = sum(target.values())
    columns = {code: weight * total / target_sum for code, weight in target.items() if weight > 0}
    table = {row: {code: affinity(row, code) * col for code, col in columns.items()} for row in rows}
    for _ in range(60):
        for code, col in columns.items():
            current = sum(table[row][code] for row in table)
            if current:
                for row in table:
                    table[row][code] *= col / current
        for row, size in rows.items():
            current = sum(table[row].values())
            if current:
                factor = size / current
                for code in table[row]:
                    table[row][code] *= factor
    return table


def assign(
    rng: random.Random,
    records: list[dict],
    name: str,
    target: Weights | None = None,
    *,
    given: tuple[str, ...] = (),
    affinity: Callable[[Hashable, str | None], float] | None = None,
    exact: dict[Hashable, Weights] | None = None,
) -> None:
    """Set records[i][name]: exact counts per code (per group of `given` fields), shuffled."""
    groups: dict[Hashable, list[int]] = defaultdict(list)
    for index, record in enumerate(records):
        groups[tuple(record[g] for g in given)].append(index)
    sizes = {key: len(indexes) for key, indexes in groups.items()}
    if exact is not None:
        per_group = {key: largest_remainder(exact[key], size) for key, size in sizes.items()}
    elif given and affinity is not None:
        fitted = fit_table(sizes, target, affinity)
        per_group = {key: largest_remainder(fitted[key], size) for key, size in sizes.items()}
    else:
        counts = largest_remainder(target, len(records))
        per_group = {(): counts}
        groups = {(): list(range(len(records)))}
    for key, indexes in groups.items():
        codes: list = []
        for code, count in per_group[key].items():
            codes.extend([code] * count)
        rng.shuffle(codes)
        for index, code in zip(indexes, codes, strict=True):
            records[index][name] = code


def assign_multi(
    rng: random.Random,
    records: list[dict],
    name: str,
    target: Weights,
    per_record: dict[int, float],
    affinity: Callable[[dict, str], float],
) -> None:
    """Set records[i][name] to a list of distinct codes: exact counts per number and per code.

    Each record first gets how many codes it has; the mentions are then allocated per code and
    handed out code by code to the records with the most room left (so every record can always
    be filled with distinct codes), ties broken at random, weighted by affinity.
    """
    room_counts = largest_remainder(per_record, len(records))
    room: list[int] = []
    for size, count in room_counts.items():
        room.extend([size] * count)
    rng.shuffle(room)
    mentions = largest_remainder(target, sum(room))
    chosen: list[list[str]] = [[] for _ in records]
    for code, count in sorted(mentions.items(), key=lambda item: -item[1]):
        candidates = [i for i, left in enumerate(room) if left > 0]
        if count > len(candidates):
            raise ValueError(f"{name}: {count} mentions of {code} for {len(candidates)} persons")
        keys = {i: (room[i], rng.random() ** (1.0 / affinity(records[i], code))) for i in candidates}
        for i in heapq.nlargest(count, candidates, key=keys.__getitem__):
            chosen[i].append(code)
            room[i] -= 1
    for record, codes in zip(records, chosen, strict=True):
        record[name] = codes


def blend(a: Weights, b: Weights, t: float) -> Weights:
    """Weights between a (t=0) and b (t=1), each taken as shares."""
    sum_a, sum_b = sum(a.values()), sum(b.values())
    keys = list(dict.fromkeys([*a, *b]))
    return {k: (1 - t) * a.get(k, 0) / sum_a + t * b.get(k, 0) / sum_b for k in keys}


# --------------------------------------------------------------------------------------------
# The plan of one year
# --------------------------------------------------------------------------------------------


def _relation_from_roles(perpetrator: int, victim: int, bystander: int, unknown: int) -> Weights:
    """Relation weights with exact role counts; bystanders spread like 2020's relation table."""
    bystanders = {c: w for c, w in RELATION_2020.items() if c not in ("1100", "2100", "9999", LEEG)}
    by_sum = sum(bystanders.values())
    leeg = round(unknown * 0.1)
    weights: Weights = {"1100": victim, "2100": perpetrator, "9999": unknown - leeg, LEEG: leeg}
    weights.update({c: w * bystander / by_sum for c, w in bystanders.items()})
    return weights


def _relation_group(code: str | None) -> str:
    if code is None or code == "9999":
        return "unknown"
    if code == "1100":
        return "self"
    if code.startswith("2"):
        return "perpetrator_side"
    if code.startswith("1"):
        return "close_to_victim"
    return "work_leisure"


def _relation_2024() -> Weights:
    group_sums: Counter = Counter()
    for code, weight in RELATION_2020.items():
        group_sums[_relation_group(code)] += weight
    return {
        code: RELATION_GROUPS_2024[_relation_group(code)] * weight / group_sums[_relation_group(code)]
        for code, weight in RELATION_2020.items()
    }


def _relation(year: int, contacts: int) -> Weights:
    if year == 2020:
        return dict(RELATION_2020)
    if year in CALLER_ROLE_LEGACY:
        perpetrator, victim, bystander = CALLER_ROLE_LEGACY[year]
        return _relation_from_roles(perpetrator, victim, bystander, contacts - perpetrator - victim - bystander)
    if year < 2016:
        perpetrator, victim, bystander = CALLER_ROLE_LEGACY[2016]
        return _relation_from_roles(perpetrator, victim, bystander, 4596 - perpetrator - victim - bystander)
    start = _relation(2021, YEAR_TOTALS[2021][0])
    return blend(start, _relation_2024(), (year - 2021) / 3)


def _caller_age(year: int, contacts: int) -> Weights:
    if year == 2024:
        return dict(CALLER_AGE_2024)
    if year in CALLER_AGE_LEGACY:
        under_12, minors, adults = CALLER_AGE_LEGACY[year]
        rest = contacts - under_12 - minors - adults
        unknown, leeg = CALLER_AGE_2020_UNKNOWN if year == 2020 else (rest - rest // 5, rest // 5)
        weights: Weights = {"under_12": under_12, "12_17": minors, "unknown": unknown, LEEG: leeg}
        if year < 2021:
            weights["adult_unknown"] = adults
        else:  # the new registration (mid-2021) records the adult age band: split like 2024
            adult_2024 = {k: CALLER_AGE_2024[k] for k in ("18_64", "65_plus", "adult_unknown")}
            adult_sum = sum(adult_2024.values())
            weights.update({k: w * adults / adult_sum for k, w in adult_2024.items()})
        return weights
    if year < 2016:
        return dict(CALLER_AGE_EARLY)
    return blend(_caller_age(2021, YEAR_TOTALS[2021][0]), CALLER_AGE_2024, (year - 2021) / 3)


def _caller_gender(year: int) -> Weights:
    if year == 2024:
        return dict(CALLER_GENDER_2024)
    male, female, unknown = (sum(month[i] for month in MONTH_X_CALLER_GENDER_2020.values()) for i in range(3))
    legacy = {"female": female, "male": male, "unknown": unknown, LEEG: 8059 - male - female - unknown}
    if year <= 2020:  # the old registration had no non-binary option (003's table: M / V / onbekend)
        return legacy
    return blend(legacy, CALLER_GENDER_2024, (year - 2020) / 4)


def _anonymous(year: int) -> Weights:
    if year <= 2021:
        return dict(ANONYMOUS_LEGACY)
    return blend(ANONYMOUS_LEGACY, ANONYMOUS_2024, (year - 2021) / 3)


def _channel(year: int) -> Weights:
    weights = dict(CHANNEL_BY_YEAR[year])
    weights[LEEG] = CHANNEL_LEEG
    return weights


def _problem(year: int) -> Weights:
    if year in PROBLEM_LEGACY:
        return dict(zip(PROBLEM_LEGACY_CODES, PROBLEM_LEGACY[year], strict=True))
    if year < 2016:  # 2016 and 2017 together (assumed)
        return {
            code: a + b
            for code, a, b in zip(PROBLEM_LEGACY_CODES, PROBLEM_LEGACY[2016], PROBLEM_LEGACY[2017], strict=True)
        }
    if year == 2021:
        return dict(PROBLEM_2021)
    return {**PROBLEM_2024, LEEG: PROBLEM_2024_LEEG}


def _context(year: int, rollups: dict[str, str]) -> Weights:
    legacy = dict(CONTEXT_2020)
    within: Counter = Counter()
    for code, weight in legacy.items():
        if code is not None:
            within[rollups[code]] += weight
    current: Weights = {
        code: CONTEXT_ROLLUP_2024[rollups[code]] * weight / within[rollups[code]]
        for code, weight in legacy.items()
        if code is not None
    }
    current["unknown"] -= CONTEXT_2024_LEEG
    current[LEEG] = CONTEXT_2024_LEEG
    if year <= 2021:
        return legacy
    return blend(legacy, current, min(1.0, (year - 2021) / 3))


def _person_gender(year: int) -> Weights:
    weights = dict(PERSON_GENDER_2024)
    if year <= 2020:
        weights["unknown"] += weights.pop("nonbinary_other")
    return weights


@dataclass
class YearSummary:
    year: int
    contacts: int = 0
    persons: int = 0
    without_person: int = 0
    violence_forms: int = 0
    referrals: int = 0
    date_only: int = 0
    incomplete: int = 0
    seconds: float = 0.0
    extra: dict = field(default_factory=dict)

    def line(self) -> str:
        return (
            f"{self.year}: {self.contacts} contacts, {self.persons} reported persons "
            f"({self.without_person} contacts without one), {self.violence_forms} forms of violence, "
            f"{self.referrals} referrals, {self.incomplete} incomplete, {self.date_only} date only "
            f"[{self.seconds:.1f} s]"
        )


class Lookups:
    """The data the generator reads once: teams, code validity and roll-ups, opening hours."""

    def __init__(self) -> None:
        from .derivation import Schedule, relation_roles
        from .models import Code, Team

        self.teams = Team.objects.in_bulk(field_name="code")
        self.codes: dict[str, dict[str, Code]] = defaultdict(dict)
        for code in Code.objects.all():
            self.codes[code.list][code.code] = code
        self.context_rollups = {c: code.rollup for c, code in self.codes["context"].items()}
        self.roles = relation_roles()
        self.schedule = Schedule.load()
        self._valid_problems: dict[date, frozenset] = {}
        self._open_days: dict[tuple, list] = {}

    def valid_problems(self, day: date) -> frozenset:
        """The problem codes valid on day (as Code.objects.of_list("problem").valid_on(day))."""
        if day not in self._valid_problems:
            self._valid_problems[day] = frozenset(
                c for c, code in self.codes["problem"].items() if code.is_valid_on(day)
            )
        return self._valid_problems[day]

    def check(self, list_name: str, value: str | None, day: date) -> None:
        if value is None:
            return
        code = self.codes[list_name].get(value)
        if code is None or not code.is_valid_on(day):
            raise ValueError(f"demo data: {list_name} code {value!r} is not valid on {day}")

    def slots(self, channel: str, day: date) -> list[tuple[time, time]]:
        """The opening slots of a live channel on day; empty on a closure or before the channel."""
        current = None
        for valid_from, always, slots in self.schedule.periods.get(channel, []):
            if valid_from <= day:
                current = (always, slots)
        if current is None or current[0] or day in self.schedule.closures:
            return []
        return [(opens, closes) for weekday, opens, closes in current[1] if weekday == day.weekday()]

    def open_days(self, channel: str, year: int, month: int) -> list[tuple[date, list]]:
        key = (channel, year, month)
        if key not in self._open_days:
            self._open_days[key] = [(day, s) for day in _days(year, month) if (s := self.slots(channel, day))]
        return self._open_days[key]


def _days(year: int, month: int) -> list[date]:
    day = date(year, month, 1)
    days = []
    while day.month == month:
        days.append(day)
        day += timedelta(days=1)
    return days


def _at(day: date, minutes: int) -> datetime:
    return datetime(day.year, day.month, day.day, minutes // 60, minutes % 60, tzinfo=BRUSSELS)


def _moment(rng: random.Random, lookups: Lookups, year: int, month: int, channel: str | None) -> datetime:
    """A start instant in the month: live channels mostly inside their hours, e-mail any time."""
    if channel in OUTSIDE_HOURS:
        open_days = lookups.open_days(channel, year, month)
        if open_days and rng.random() >= OUTSIDE_HOURS[channel]:
            day, slots = rng.choice(open_days)
            opens, closes = rng.choices(slots, weights=[c.hour - o.hour or 1 for o, c in slots])[0]
            start, end = opens.hour * 60 + opens.minute, closes.hour * 60 + closes.minute
            return _at(day, rng.randrange(start, end))
        day = rng.choice(_days(year, month))
        if day.weekday() < 5:  # early morning or evening, around the opening hours
            return _at(day, rng.choice([rng.randrange(7 * 60, 9 * 60), rng.randrange(18 * 60, 22 * 60)]))
        return _at(day, rng.randrange(9 * 60, 21 * 60))
    days = _days(year, month)
    day = rng.choices(days, weights=[1.0 if d.weekday() < 5 else 0.6 for d in days])[0]
    hour = rng.choices(range(24), weights=EMAIL_HOURS)[0]
    return _at(day, hour * 60 + rng.randrange(60))


def _duration(rng: random.Random, channel: str | None) -> int:
    median = {"phone": 18, "chat": 35, "email": 15}.get(channel or "", 15)
    return max(2, min(180, round(rng.lognormvariate(0, 0.5) * median)))


def _age_group(code: str | None) -> str:
    if code in ("under_12", "12_17", "minor_unknown"):
        return "minor"
    if code in ("18_64", "65_plus", "adult_unknown"):
        return "adult"
    return "unknown"


# --------------------------------------------------------------------------------------------
# Generating one year
# --------------------------------------------------------------------------------------------


def plan_contacts(rng: random.Random, lookups: Lookups, year: int) -> list[dict]:
    """The year's contacts as dicts of field values, in chronological order."""
    total, _, _ = YEAR_TOTALS[year]
    contacts: list[dict] = [{} for _ in range(total)]
    assign(rng, contacts, "caller_age", _caller_age(year, total))
    for contact in contacts:
        contact["age_group"] = _age_group(contact["caller_age"])

    if year == 2020:
        joint = {
            (month, channel): count
            for month, row in MONTH_X_CHANNEL_2020.items()
            for channel, count in zip(("phone", "email", "chat", None), row, strict=True)
        }
        assign(rng, contacts, "month_channel", joint)
        for contact in contacts:
            contact["month"], contact["channel"] = contact.pop("month_channel")
        per_month = {}
        for month, (male, female, unknown) in MONTH_X_CALLER_GENDER_2020.items():
            month_total = sum(MONTH_X_CHANNEL_2020[month])
            per_month[(month,)] = {
                "male": male,
                "female": female,
                "unknown": unknown,
                LEEG: month_total - male - female - unknown,
            }
        assign(rng, contacts, "caller_gender", given=("month",), exact=per_month)
    else:
        assign(rng, contacts, "caller_gender", _caller_gender(year))
        channel = _channel(year)
        overall = {k: w / sum(channel.values()) for k, w in channel.items()}

        def channel_affinity(group, code):
            age_group, gender = group
            if code is None:
                return 1.0
            if year == 2024:
                by_age = CHANNEL_BY_AGE_GROUP_2024[age_group][code] / 100 / overall[code]
                by_gender = CHANNEL_BY_GENDER_2024.get(gender, {}).get(code, overall[code] * 100) / 100 / overall[code]
                return by_age * by_gender
            # Other years (assumed): minors and non-binary callers prefer the chat, as in 2024.
            if code == "chat" and (age_group == "minor" or gender == "nonbinary_other"):
                return 5.0
            return 1.0

        assign(rng, contacts, "channel", channel, given=("age_group", "caller_gender"), affinity=channel_affinity)
        profile = {(c,): MONTH_PROFILE for c in {contact["channel"] for contact in contacts}}
        assign(rng, contacts, "month", given=("channel",), exact={k: v for k, v in profile.items()})

    def relation_affinity(group, code):
        # Assumed: a young caller is more often the victim themself.
        return 2.5 if group == ("minor",) and code == "1100" else 1.0

    if year in CALLER_ROLE_LEGACY:  # published role counts (000 1.b, 003): keep them exact
        assign(rng, contacts, "caller_relation", _relation(year, total))
    else:
        assign(
            rng, contacts, "caller_relation", _relation(year, total), given=("age_group",), affinity=relation_affinity
        )

    def anonymous_affinity(group, code):
        # Assumed: chat is the most anonymous channel, an e-mail often signed.
        channel = group[0]
        if channel == "chat":
            return {"yes": 1.6, "no": 0.5}.get(code, 1.0)
        if channel == "email":
            return {"yes": 0.7, "no": 1.6}.get(code, 1.0)
        return 1.0

    assign(rng, contacts, "anonymous", _anonymous(year), given=("channel",), affinity=anonymous_affinity)
    assign(rng, contacts, "team", TEAM_WEIGHTS)

    date_only = DATE_ONLY_SHARE.get(year, 0.0)
    regions = list(TEAM_REGION.values())
    for contact in contacts:
        channel = contact["channel"]
        moment = _moment(rng, lookups, year, int(contact["month"]), channel)
        contact["started_on"] = moment.astimezone(BRUSSELS).date()
        contact["started_at"] = None if rng.random() < date_only else moment
        contact["duration_minutes"] = None if (year < 2016 and rng.random() < 0.2) else _duration(rng, channel)
        own = TEAM_REGION[contact["team"]]
        draw = rng.random()
        if channel == "phone":  # the phone menu: mostly the team's own province, option 0 overflows
            region = own if draw < 0.82 else "unknown" if draw < 0.95 else rng.choice(regions) if draw < 0.99 else None
        else:  # chat and e-mail have no menu: the region is known when the caller tells it (assumed)
            region = own if draw < 0.45 else "unknown" if draw < 0.9 else None
        contact["caller_region"] = region
    contacts.sort(key=lambda c: (c["started_on"], c["started_at"] or _at(c["started_on"], 0)))
    return contacts


def plan_persons(rng: random.Random, lookups: Lookups, year: int, contacts: list[dict]) -> list[dict]:
    """The year's reported persons as dicts; sets contacts[i]["persons"] to their count."""
    total, persons_total, without = YEAR_TOTALS[year]
    with_person = total - without
    if persons_total < with_person:
        raise ValueError(f"{year}: {persons_total} persons cannot cover {with_person} contacts")
    order = list(range(total))
    rng.shuffle(order)
    counts = [0] * total
    for index in order[without:]:
        counts[index] = 1
    extra = persons_total - with_person
    # Contacts with several persons: a caller who is the victim themself rarely reports others.
    candidates = order[without:]
    keys = {i: rng.random() ** (1.0 / (0.25 if contacts[i]["caller_relation"] == "1100" else 1.0)) for i in candidates}
    candidates.sort(key=keys.__getitem__, reverse=True)
    sizes = list(PERSONS_PER_CONTACT)
    size_weights = list(PERSONS_PER_CONTACT.values())
    position = 0
    while extra > 0:
        size = min(rng.choices(sizes, weights=size_weights)[0], extra + 1)
        counts[candidates[position]] = size
        extra -= size - 1
        position += 1

    persons: list[dict] = []
    for index, (contact, count) in enumerate(zip(contacts, counts, strict=True)):
        contact["persons"] = count
        for position in range(count):
            persons.append({"contact": index, "position": position, "day": contact["started_on"]})

    _assign_problems(rng, lookups, year, persons)
    rollups = lookups.context_rollups
    assign(
        rng, persons, "age", PERSON_AGE_2024, given=("problem",),
        affinity=lambda group, code: _age_affinity(group[0], code),
    )  # fmt: skip
    assign(
        rng, persons, "gender", _person_gender(year), given=("problem",),
        affinity=lambda group, code: _gender_affinity(group[0], code),
    )  # fmt: skip
    if year == 2020:  # 003 publishes the 2020 context table: keep it exact, uncorrelated
        assign(rng, persons, "context", _context(year, rollups))
    else:
        assign(
            rng, persons, "context", _context(year, rollups), given=("problem",),
            affinity=lambda group, code: _context_affinity(group[0], code, rollups),
        )  # fmt: skip
    assign_multi(
        rng, persons, "violence_forms", VIOLENCE_FORMS_2024, VIOLENCE_FORMS_PER_PERSON,
        lambda person, code: VIOLENCE_AFFINITY.get(person["problem"], {}).get(code, 1.0),
    )  # fmt: skip
    assign_multi(
        rng, persons, "referrals", REFERRALS_2024, REFERRALS_PER_PERSON,
        lambda person, code: REFERRAL_AFFINITY.get(person["problem"], {}).get(code, 1.0),
    )  # fmt: skip
    return persons


def _assign_problems(rng: random.Random, lookups: Lookups, year: int, persons: list[dict]) -> None:
    """Problems with exact yearly counts, each valid on its contact's date (the 2021-07-01 switch)."""
    counts = largest_remainder(_problem(year), len(persons))
    segments: dict[frozenset, list[int]] = defaultdict(list)
    for index, person in enumerate(persons):
        segments[lookups.valid_problems(person["day"])].append(index)
    room = {valid: len(indexes) for valid, indexes in segments.items()}
    per_segment: dict[frozenset, Counter] = {valid: Counter() for valid in segments}
    shared: dict = {}
    for code, count in counts.items():
        if not count:
            continue
        allowed = [valid for valid in segments if code is None or code in valid]
        if not allowed:
            raise ValueError(f"{year}: problem {code!r} is valid on none of the year's dates")
        if len(allowed) == 1:
            per_segment[allowed[0]][code] += count
            room[allowed[0]] -= count
        else:
            shared[code] = count
    ordered = list(segments)
    for number, valid in enumerate(ordered):
        if room[valid] < 0:
            first = min(persons[i]["day"] for i in segments[valid])
            raise ValueError(f"{year}: too many persons for the problem codes valid from {first}")
        if number == len(ordered) - 1:
            part = {code: count for code, count in shared.items() if count}
            if sum(part.values()) != room[valid]:
                raise ValueError(f"{year}: the problem counts do not fit the dates")
        else:
            part = largest_remainder({c: n for c, n in shared.items() if c is None or c in valid}, room[valid])
        for code, count in part.items():
            per_segment[valid][code] += count
            shared[code] -= count
    for valid, indexes in segments.items():
        codes: list = []
        for code, count in per_segment[valid].items():
            codes.extend([code] * count)
        rng.shuffle(codes)
        for index, code in zip(indexes, codes, strict=True):
            persons[index]["problem"] = code


HANDLING_CHOICES = {
    "concerning": {"yes": 55, "no": 35, "unknown": 10},
    "risk_level": {"low": 50, "medium": 30, "high": 10, "unknown": 10},
    "help_involved": {"yes": 40, "no": 45, "unknown": 15},
    "justice_involved": {"yes": 15, "no": 70, "unknown": 15},
    "manifest_safety_risk": {"yes": 8, "no": 80, "unknown": 12},
    "new_contact_expected": {"yes": 20, "no": 60, "unknown": 20},
}
HANDLING_ACTIONS = {"inform_orient": 70, "advise": 50, "guide_to_help": 45, "notify": 4, "callback": 8}


def _handling(rng: random.Random) -> dict:
    values = {name: rng.choices(list(c), weights=list(c.values()))[0] for name, c in HANDLING_CHOICES.items()}
    values["actions"] = [a for a, weight in HANDLING_ACTIONS.items() if rng.random() * 100 < weight]
    return values


CONTACT_CODED = ("channel", "caller_age", "caller_gender", "anonymous", "caller_relation")
PERSON_CODED = ("gender", "age", "problem", "context")
CODE_LIST_OF = {
    "channel": "channel", "caller_age": "caller_age", "caller_gender": "caller_gender", "anonymous": "anonymous",
    "caller_relation": "caller_relation", "caller_region": "caller_region",
    "gender": "person_gender", "age": "person_age", "problem": "problem", "context": "context",
}  # fmt: skip


def create_year(year: int, *, seed: int, lookups: Lookups) -> YearSummary:
    """Generate and insert one demo year; return its counts."""
    import time as clock

    from referrals.models import Referral

    from .models import Contact, ReportedPerson, ViolenceForm

    started = clock.monotonic()
    rng = random.Random(f"{seed}-{year}")
    contacts = plan_contacts(rng, lookups, year)
    persons = plan_persons(rng, lookups, year, contacts)
    summary = YearSummary(year=year)

    persons_of: list[list[dict]] = [[] for _ in contacts]
    for person in persons:
        persons_of[person["contact"]].append(person)

    saved: list = []  # the year's contacts already inserted (they have a pk)
    for start in range(0, len(contacts), BATCH):
        chunk = range(start, min(start + BATCH, len(contacts)))
        objects = []
        for index in chunk:
            values = contacts[index]
            day = values["started_on"]
            for name in CONTACT_CODED + ("caller_region",):
                lookups.check(CODE_LIST_OF[name], values[name], day)
            mine = persons_of[index]
            for person in mine:
                for name in PERSON_CODED:
                    lookups.check(CODE_LIST_OF[name], person[name], day)
            incomplete = any(values[n] is None for n in CONTACT_CODED) or any(
                p[n] is None for p in mine for n in PERSON_CODED
            )
            contact = Contact(
                uuid=uuid.UUID(int=rng.getrandbits(128), version=4),
                external_id=f"{DEMO_PREFIX}{year}-{index + 1:05d}",
                team=lookups.teams[values["team"]],
                status=Contact.Status.INCOMPLETE if incomplete else Contact.Status.COMPLETE,
                channel=values["channel"],
                started_at=values["started_at"],
                started_on=day,
                duration_minutes=values["duration_minutes"],
                caller_region=values["caller_region"],
                caller_age=values["caller_age"],
                caller_gender=values["caller_gender"],
                anonymous=values["anonymous"],
                caller_relation=values["caller_relation"],
            )
            if year >= NEW_SYSTEM_FROM and not incomplete:
                for name, value in _handling(rng).items():
                    setattr(contact, name, value)
                # A callback or a new contact about the same situation (assumed 4%), pointing to
                # a contact already saved in an earlier batch of the year.
                if saved and rng.random() < 0.04:
                    contact.follow_up_of = saved[rng.randrange(max(0, len(saved) - 400), len(saved))]
            contact.refresh_derived(codes=lookups.roles, hours=lookups.schedule)
            objects.append(contact)
            summary.incomplete += incomplete
            summary.date_only += values["started_at"] is None
        Contact.objects.bulk_create(objects, batch_size=500)
        saved.extend(objects)

        person_objects, person_values = [], []
        for contact, index in zip(objects, chunk, strict=True):
            for person in persons_of[index]:
                person_objects.append(
                    ReportedPerson(
                        uuid=uuid.UUID(int=rng.getrandbits(128), version=4),
                        contact=contact,
                        position=person["position"],
                        gender=person["gender"],
                        age=person["age"],
                        problem=person["problem"],
                        context=person["context"],
                    )
                )
                person_values.append(person)
        ReportedPerson.objects.bulk_create(person_objects, batch_size=500)
        forms, referrals = [], []
        for obj, person in zip(person_objects, person_values, strict=True):
            forms.extend((obj.pk, code) for code in person["violence_forms"])
            referrals.extend((obj.pk, code) for code in person["referrals"])
        # Two-column rows without signals or defaults: a plain executemany is several times faster
        # than bulk_create here, and database triggers (the audit history) still see every row.
        with transaction.get_connection().cursor() as cursor:
            for model, rows in ((ViolenceForm, forms), (Referral, referrals)):
                table = model._meta.db_table
                cursor.executemany(f"INSERT INTO {table} (person_id, code) VALUES (%s, %s)", rows)
        summary.contacts += len(objects)
        summary.persons += len(person_objects)
        summary.without_person += sum(1 for index in chunk if not persons_of[index])
        summary.violence_forms += len(forms)
        summary.referrals += len(referrals)
    summary.seconds = clock.monotonic() - started
    return summary


def _audit(action: str, details: dict) -> None:
    try:
        from audit.services import audit_event
    except ImportError:
        return
    audit_event(None, action, via="cli", details=details)


def demo_data_exists() -> bool:
    from .models import Contact

    return Contact.all_objects.filter(external_id__startswith=DEMO_PREFIX).exists()


def demo_data_delete() -> int:
    """Delete every demo contact (external_id demo-…) with its persons; return how many."""
    from referrals.models import Referral

    from .models import Contact, ContactText, ReportedPerson, ViolenceForm

    demo = Contact.all_objects.filter(external_id__startswith=DEMO_PREFIX)
    with transaction.atomic():
        skip_row_history(("DELETE",))
        count = demo.count()
        Referral.objects.filter(person__contact__in=demo).delete()
        ViolenceForm.objects.filter(person__contact__in=demo).delete()
        ReportedPerson.all_objects.filter(contact__in=demo).delete()
        ContactText.objects.filter(contact__in=demo).delete()
        Contact.all_objects.filter(follow_up_of__in=demo).update(follow_up_of=None)
        demo.delete()
        _audit("demo_delete", {"contacts": count})
    return count


def demo_years_create(
    years: Iterable[int], *, seed: int = DEFAULT_SEED, on_year: Callable[[YearSummary], None] | None = None
) -> list[YearSummary]:
    """Insert the demo years in one transaction; return one summary per year."""
    years = sorted(set(years))
    unknown = [y for y in years if y not in YEAR_TOTALS]
    if unknown:
        raise ValueError(f"no demo figures for {', '.join(map(str, unknown))} (demo years: 2012–2024)")
    summaries = []
    with transaction.atomic():
        connection = transaction.get_connection()
        if connection.vendor == "sqlite":
            # The indexes of ~500.000 new rows outgrow SQLite's default 2 MB page cache, and the
            # transaction then spills to disk on every batch: give this connection 256 MB.
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size = -262144")
        skip_row_history(("INSERT",))
        lookups = Lookups()
        for year in years:
            summary = create_year(year, seed=seed, lookups=lookups)
            summaries.append(summary)
            if on_year:
                on_year(summary)
        _audit(
            "demo_load",
            {"seed": seed, "years": {s.year: {"contacts": s.contacts, "persons": s.persons} for s in summaries}},
        )
    return summaries
