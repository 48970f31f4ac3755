"""The published 1712 figures the demo years are shaped on, each with its source.

Sources are the seed documents in `/work/shared/seeds` (Dutch originals), cited by number:

- `000` = `000_93c44f20597d5232.txt`, the answer to parliamentary question nr. 432 (9 March
  2022): table 1.a (contacts "Aantal meldingen", person rows "Aantal gemelde personen", caller
  age -12 / +12 / Meerderjarig) and 1.b (caller role) for 2016–2021; table 2.a (main problem
  per reported person) for 2016–2020 and for 2021 (with "Aantal meldingen zonder GP 241");
  2.b: "the last ten years [2012–2021] 51.699 unique calls about 66.069 reported persons",
  "one call in three by e-mail or chat".
- `001` = `001_dc824623bc63ee91.txt`, the 1712 annual report 2024: 9.594 calls, 13.281 reported
  persons, +2% / +4% against 2023, +276% / +514% against 2012; caller age group, gender,
  anonymity; relation groups; person gender and age bands; the sixteen main problems; the
  context roll-up; forms of violence; channel overall, by caller age group and by caller
  gender; referrals. It is a PDF extraction: labels and figures of a chart are printed apart.
  Where the order is ambiguous, the reading used here is stated next to the figure.
- `002` = `002_e4dc6edd9e8f739d.txt`, the answer on the opening hours: Thursday evening 17–19
  from 1 October 2018, chat from "begin 2019" (so no chat contacts before 2019).
- `003` = `003_364c084f79176d1d.txt`, the answer to parliamentary question nr. 282 (24 January
  2022), 2020 tables: month × channel (with the August e-mail misprint "20" read as 90,
  domain.md), month × caller gender, caller age, the relation code table, the context table;
  "ruim driekwart" of callers anonymous (about 2021).

Each figure below says which it is: *published* (copied from a source), *derived* (computed from
published figures as stated), *interpolated* (a year no source gives) or *assumed* (a plausible
choice: the split of a published group over its codes, a share no source prints). The choices
that shape the data without any published anchor (teams, hours, affinities) are in
`assumptions.py`.
"""

from __future__ import annotations

from .allocation import Weights

LEEG = None  # an empty (Leeg) coded field

# --------------------------------------------------------------------------------------------
# Yearly totals: year -> (contacts, reported persons, contacts without a reported person).
#
# - 2016–2020, published (000 table 1.a). Those years' problem tables (2.a) have no "without GP"
#   row and sum exactly to the published person count, so that count is taken as reported
#   persons and the demo has no contact without a reported person in those years.
# - 2021, published: 8.515 contacts, 11.312 person rows = 11.071 reported persons + 241 without
#   (000 2.a).
# - 2024, published: 9.594 / 13.281 (001); 60 contacts without a reported person is assumed
#   (kept small so that the printed shares hold whichever total a report divides by).
# - 2023, derived: 9.594 / 1,02 = 9.406 contacts and 13.281 / 1,04 = 12.770 persons (001,
#   "+2% / +4%").
# - 2012, derived: 9.594 / 3,76 = 2.552 contacts and 13.281 / 6,14 = 2.163 persons (001, "+276%
#   / +514%"): fewer persons than contacts, so 2012 has contacts without a reported person.
# - 2013–2015, interpolated: chosen so that 2012–2021 add up to 000 2.b's ten-year totals,
#   51.699 contacts and 66.069 person rows (persons + contacts without one, Parliament's
#   convention in domain.md), rising smoothly from 2012 to 2016.
# - 2022, interpolated: halfway between 2021 and 2023.
# --------------------------------------------------------------------------------------------
YEAR_TOTALS: dict[int, tuple[int, int, int]] = {
    2012: (2552, 2163, 420),  # derived from 001 (+276% / +514%); 420 without a person: assumed (at least 389)
    2013: (3904, 3700, 250),  # interpolated under 000 2.b's ten-year totals
    2014: (4236, 4240, 150),  # interpolated
    2015: (4490, 4745, 100),  # interpolated
    2016: (4596, 6272, 0),  # published: 000 1.a
    2017: (4812, 6792, 0),  # published: 000 1.a
    2018: (5126, 7218, 0),  # published: 000 1.a
    2019: (5409, 7402, 0),  # published: 000 1.a
    2020: (8059, 11305, 0),  # published: 000 1.a; 003 (every 2020 table sums to 8.059 / 11.305)
    2021: (8515, 11071, 241),  # published: 000 1.a and 2.a (11.312 person rows = 11.071 + 241 without GP)
    2022: (8961, 11920, 150),  # interpolated between 2021 and 2023
    2023: (9406, 12770, 100),  # derived from 001: 2024 is +2% contacts, +4% persons on 2023
    2024: (9594, 13281, 60),  # published: 001, 9.594 oproepen, 13.281 gemelde personen
}

# --------------------------------------------------------------------------------------------
# Contact-level figures
# --------------------------------------------------------------------------------------------

# Published (000 1.a): caller age -12 / +12 / Meerderjarig; the rest of the year's contacts is
# Onduidelijk or Leeg (2020: 57 + 16 in 003). The old system had no finer adult age, so legacy
# adults are `adult_unknown` (domain.md: the old reports could not give 65+).
CALLER_AGE_LEGACY = {  # year: (under_12, 12_17, adult)
    2016: (2, 30, 4104),
    2017: (16, 132, 4588),
    2018: (15, 111, 4932),
    2019: (71, 192, 5091),
    2020: (44, 337, 7605),
    2021: (25, 604, 7816),
}
CALLER_AGE_2020_UNKNOWN = (57, 16)  # published (003): Onduidelijk 57, "-" (Leeg) 16

# Published (001): adults 89%, minors 9% ("net geen 10%"), unknown 2%. Assumed: the split over codes.
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
# Assumed (2012–2015): like 2016–2017, few minors.
CALLER_AGE_EARLY: Weights = {"under_12": 0.2, "12_17": 1.5, "adult_unknown": 95.5, "unknown": 2.2, LEEG: 0.6}

# Published (001): Vrouw 73%, Man 26%, Non-binair of anders 0,5%, Onbekend 1,4% (sums to 100,9:
# rounded figures). These counts of 9.594 round to exactly the printed figures and sum to 9.594.
CALLER_GENDER_2024: Weights = {"female": 6961, "male": 2451, "nonbinary_other": 48, "unknown": 134}
# Published (003), 2020 caller gender per month: Mannelijk | Vrouwelijk | Onbekend (Leeg = month
# total − sum).
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

# Published (003), 2020 contacts per month: Telefoon | E-mail | Chat | Leeg (August e-mail 90, not 20).
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
# Assumed, anchored on the sources: channel shares of the other years. E-mail rising towards
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
# Published (001), channel by caller age group. Adults: "MEERDERJARIG Chat Mail Telefoon 22% 13%
# 65%". Minors print "10% 11% 79%"; read in the adults' legend order that would make minors
# phone 79%, against the text ("minderjarigen geven opvallend vaker de voorkeur aan chat"), so
# minors are read as phone 10, e-mail 11, chat 79 — which also makes the overall 60 / 27 / 13
# add up. Derived: unknown age is what remains of the overall 60 / 27 / 13.
CHANNEL_BY_AGE_GROUP_2024 = {
    "adult": {"phone": 65.0, "chat": 22.0, "email": 13.0},
    "minor": {"phone": 10.0, "chat": 79.0, "email": 11.0},
    "unknown": {"phone": 62.0, "chat": 16.0, "email": 22.0},
}
# Published (001), channel by caller gender: "MAN VROUW NON-BINAIR ... 63% 60% 78% 10% 12% 12%
# 28% 14% 23%". Read as the assignment that makes each gender sum to 100 and fits the overall
# shares: man phone 63 / chat 23 / e-mail 14, woman 60 / 28 / 12, non-binary chat 78 / phone 10
# / e-mail 12.
CHANNEL_BY_GENDER_2024 = {
    "male": {"phone": 63.0, "chat": 23.0, "email": 14.0},
    "female": {"phone": 60.0, "chat": 28.0, "email": 12.0},
    "nonbinary_other": {"phone": 10.0, "chat": 78.0, "email": 12.0},
}

# Published (001): anonymous Ja 47%, Neen 25%, Onbekend 28%. Published (003, about 2021): "ruim
# driekwart" of callers anonymous, used for the legacy years; assumed: the old system rarely
# left it unknown.
ANONYMOUS_2024: Weights = {"yes": 47.0, "no": 25.0, "unknown": 27.6, LEEG: 0.4}
ANONYMOUS_LEGACY: Weights = {"yes": 76.5, "no": 21.5, "unknown": 1.5, LEEG: 0.5}

# Published (003), the 2020 relation table. Assumed: its four blank cells (2300, 2400, 4200,
# 4999) must hold the 21 contacts that make the printed rows add up to 8.059 (and the bystanders
# to 000 1.b's 5.200); spread over them here. Also the split of each group over its codes in
# other years.
RELATION_2020: Weights = {
    "1100": 2708, "1200": 1650, "1300": 191, "1400": 376, "1500": 592, "1600": 804, "1700": 566,
    "1800": 59, "1999": 406,
    "2100": 64, "2200": 21, "2300": 6, "2400": 3, "2500": 12, "2600": 47, "2700": 62, "2800": 7,
    "2999": 19,
    "3100": 65, "3200": 7, "3999": 12, "4100": 24, "4200": 8, "4999": 4, "5100": 20, "5200": 3,
    "5999": 3, "6100": 46, "6200": 128, "6300": 7, "6999": 39, "7000": 13,
    "9999": 81, LEEG: 6,
}  # fmt: skip
# Published (000 1.b): (perpetrator, victim, bystander); unknown = contacts − the three.
CALLER_ROLE_LEGACY = {
    2016: (33, 1038, 3474),
    2017: (38, 1123, 3588),
    2018: (59, 1168, 3831),
    2019: (38, 1562, 3719),
    2020: (64, 2708, 5200),
    2021: (55, 3035, 5372),
}
# Published (001): self victim 36%, "iets meer dan de helft" close to the victim, "ongeveer 8%"
# work or leisure, "bijna 3%" perpetrator or someone close to them. Assumed: the exact figures
# behind the words, and the rest unknown.
RELATION_GROUPS_2024 = {
    "self": 36.0,
    "close_to_victim": 52.5,
    "work_leisure": 8.0,
    "perpetrator_side": 2.8,
    "unknown": 0.7,
}

# --------------------------------------------------------------------------------------------
# Person-level figures
# --------------------------------------------------------------------------------------------

# Published (000 2.a), main problem per reported person, 2016–2020 (old codes; Leeg included).
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
# Published (000 2.a), 2021 (the switch year: old codes before 2021-07-01, new ones after).
# "Ritueel geweld + Eergerelateerd geweld 5" is one row there; assumed: split as 1 ritual + 2
# honour before the switch and 2 ritual_honour_violence after it.
PROBLEM_2021: Weights = {
    "child_abuse": 5833, "partner_violence": 2070, "violence_between_minors": 225,
    "violence_against_adults": 489, "intrafamily_adult_violence": 187, "extrafamily_adult_violence": 232,
    "parent_abuse": 198, "elder_abuse": 209, "trauma_processing": 231, "divorce_problems": 464,
    "homo_transphobic_violence": 1, "stalking": 91, "ritual_violence": 1, "honour_violence": 2,
    "ritual_honour_violence": 2, "institutional_abuse": 8, "other_violence": 71, "other_problem": 501,
    LEEG: 256,
}  # fmt: skip
# Published (001), the sixteen main problems in the order printed, as shares of the coded
# persons (they sum to 99,99%). Assumed: Leeg, kept tiny so the printed shares hold within a
# tenth of a point.
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

# Published (003), the 2020 context table (persons; Leeg 42).
CONTEXT_2020: Weights = {
    "separated_nuclear_family": 4251, "nuclear_family": 4319, "extended_family": 663, "foster_family": 23,
    "youth_institution": 23, "care_home": 16, "psychosocial": 64, "medical": 23, "sport": 36,
    "leisure": 192, "school": 104, "work": 65, "religion": 7, "other_context": 302,
    "unknown": 1175, LEEG: 42,
}  # fmt: skip
# Published (001): intrafamiliaal 85%, extrafamiliaal 11%, onbekend 4% (Leeg rolls up to unknown).
CONTEXT_ROLLUP_2024 = {"intrafamilial": 85.0, "extrafamilial": 11.0, "unknown": 4.0}
CONTEXT_2024_LEEG = 0.2  # assumed

# Published (001), person gender: Vrouw 52%, Man 30%, Onbekend 18%, Non-binair of anders 0,33%
# (sums to 100,33: rounded). Assumed: shares chosen inside each printed figure's rounding
# interval, summing to 100.
PERSON_GENDER_2024: Weights = {"female": 51.7, "male": 29.85, "nonbinary_other": 0.33, "unknown": 18.02, LEEG: 0.1}
# Published (001), person age: Ongeboren 0,35%, 0-2 6%, 3-6 13%, 7-12 20%, 13-17 15%, Onbekend
# minderjarig 8%, 18-59 22%, 60+ 5%, Onbekend meerderjarig 11%, Onbekend 0,02% (minors "63%").
# Assumed: shares chosen inside each printed figure's rounding interval so that minors are 63%
# and all sum to 100.
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
# Published (001), forms of violence as shares of all mentions: emotional 38, physical 22, sexual
# 11, emotional and physical neglect 9 each, economic 6, other 3, unknown 1 (sums to 99:
# rounded). Assumed: shares inside each rounding interval, summing to 100.
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
# Published (001), referrals as shares of all mentions. Certain: police/justice 26,18, CAW 17,05,
# education 14,02, medical/psychological 11,81 (the text gives 26 / 17 / 14 / 12). The rest is
# printed apart from its labels; read in the label order, descending, with "Ander gevolg" last:
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
