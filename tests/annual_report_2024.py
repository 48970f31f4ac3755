"""The 1712 annual report 2024, as the tests compare the demo data against it.

Transcribed once, here, from the seed document `shared/seeds/001_dc824623bc63ee91.txt` (a PDF
extraction, Dutch), never imported from the generator (registration/demo): a wrong figure in the
generator must make these tests fail, not move with them. Shares are kept as printed, decimal
comma and all, because the number of printed digits sets how close a share must come.
"""

from decimal import Decimal

# "In 2024 beantwoordde hulplijn 1712 in totaal 9.594 oproepen over 13.281 (mogelijke)
# slachtoffers".
CONTACTS = 9594
PERSONS = 13281

# Chart LEEFTIJD: "Meerderjarig 89%  Minderjarig 9%  Onbekend 2%".
CALLER_AGE_GROUP = {"adult": "89", "minor": "9", "unknown": "2"}
# Chart GENDER: "Vrouw 73%  Man 26%  Onbekend 1,4%  Non-binair of anders 0,5%".
CALLER_GENDER = {"female": "73", "male": "26", "unknown": "1,4", "nonbinary_other": "0,5"}
# Chart ANONIEME CONTACTNAMES: "Ja 47%  Onbekend 28%  Neen 25%".
ANONYMOUS = {"yes": "47", "unknown": "28", "no": "25"}
# "In 2024 gebeurde 60% van de contacten via de telefoon, terwijl 27% van de contactnemers
# gebruikmaakte van de chatlijn en 13% de voorkeur gaf aan e-mail."
CHANNEL = {"phone": "60", "chat": "27", "email": "13"}
# Chart LEEFTIJD (channel): "MEERDERJARIG (+18J) Chat Mail Telefoon 22% 13% 65%".
ADULT_CHANNEL = {"chat": "22", "email": "13", "phone": "65"}
# Same chart: "MINDERJARIG (-18J) 10% 11% 79%", printed without labels. Read as phone, e-mail,
# chat: "minderjarigen geven opvallend vaker de voorkeur aan chat".
MINOR_CHANNEL = {"phone": "10", "email": "11", "chat": "79"}

# RELATIE TOT SLACHTOFFER: "In 36% van de gevallen ging het om iemand die zelf met geweld ...
# geconfronteerd werd"; "ongeveer 8% van de contacten personen die via werk of via een vrije
# tijdscontext ..."; "Iets meer dan de helft van de contactnemers was een omstaander";
# "bijna 3% van de contactnemers de persoon die zelf gewelddadig gedrag gesteld had of iemand
# uit diens directe omgeving".
RELATION_GROUP = {"self": "36", "work_leisure": "8"}
RELATION_CLOSE_TO_VICTIM_ABOVE = 50  # "iets meer dan de helft"
RELATION_PERPETRATOR_SIDE_BELOW = 3  # "bijna 3%"

# Chart GENDER (persons): "Vrouw 52%  Man 30%  Onbekend 18%  Non-binair of anders 0,33%".
PERSON_GENDER = {"female": "52", "male": "30", "unknown": "18", "nonbinary_other": "0,33"}
# Chart LEEFTIJD (persons): "Onbekend minderjarig 8%  Ongeboren 0,35%  0-2 jaar 6%  3-6 jaar 13%
# 7-12 jaar 20%  13-17 jaar 15%  Onbekend meerderjarig 11%  18-59 jaar 22%  60+ 5%  Onbekend 0,02%".
PERSON_AGE = {
    "minor_unknown": "8",
    "unborn": "0,35",
    "0_2": "6",
    "3_6": "13",
    "7_12": "20",
    "13_17": "15",
    "adult_unknown": "11",
    "18_59": "22",
    "60_plus": "5",
    "unknown": "0,02",
}
# "de meeste bezorgdheden [hadden] betrekking op minderjarige (mogelijke) slachtoffers, die 63%
# van het totaal vormden".
PERSON_MINORS = "63"

# WELKE GEWELDSPROBLEMATIEK?: the sixteen labels, then the sixteen shares in the same order
# (58,08% ... 0,02%; they add up to 99,99%, so Leeg is not in their base).
PROBLEM = {
    "child_abuse": "58,08",  # Kindermishandeling
    "partner_violence": "14,53",  # Partnergeweld
    "extrafamily_adult_violence": "4,26",  # Extrafamiliaal geweld tussen volwassenen
    "divorce_problems": "3,77",  # Scheidingsproblematiek
    "intrafamily_adult_violence": "3,74",  # Intrafamiliaal geweld tussen volwassenen
    "violence_between_minors": "3,63",  # Geweld tussen minderjarigen
    "other_problem": "3,41",  # Andere problematiek (geen interpersoonlijk geweld)
    "parent_abuse": "2,12",  # Oudermishandeling (ouders)
    "trauma_processing": "1,90",  # Verwerkingsproblematiek
    "elder_abuse": "1,88",  # Ouderenmis(be)handeling (60+)
    "stalking": "1,19",  # Stalking (belaging)
    "other_violence": "1,19",  # Andere geweldsproblematiek
    "institutional_abuse": "0,20",  # Institutioneel misbruik
    "homo_transphobic_violence": "0,05",  # Homo- en transfoob geweld
    "ritual_honour_violence": "0,02",  # Ritueel en eergerelateerd geweld
    "not_categorised": "0,02",  # Niet gecategoriseerd
}
# CONTEXT VAN GEWELD: "85% 11% 4%  Intrafamiliaal Extrafamiliaal Onbekend".
CONTEXT_ROLLUP = {"intrafamilial": "85", "extrafamilial": "11", "unknown": "4"}
# VORMEN VAN GEWELD prints the eight labels (Emotioneel geweld, Emotionele verwaarlozing,
# Lichamelijk geweld, Lichamelijke verwaarlozing, Seksueel geweld, Economisch geweld, Andere,
# Onbekend), then "38% 22% 11% 9% 9% 6% 3% 1%" largest first, not in label order. The text
# places them: "11% met seksueel geweld", "31% ... lichamelijk geweld of lichamelijke
# verwaarlozing" (22 + 9), "bijna de helft ... emotioneel geweld of verwaarlozing" (38 + 9).
VIOLENCE_FORMS = {
    "emotional_violence": "38",
    "physical_violence": "22",
    "sexual_violence": "11",
    "emotional_neglect": "9",
    "physical_neglect": "9",
    "economic_violence": "6",
    "other": "3",
    "unknown": "1",
}
# Referrals, the four the text names (the chart prints the rest apart from its labels):
# "politie of een justitiële actor (26%), een Centrum Algemeen Welzijnswerk (CAW) (17%) of een
# actor binnen het onderwijs als het CLB (14%). Ook medische en psychische hulpverlening (12%)",
# with the chart's "26,18% ... 17,05% 14,02% 11,81%".
REFERRALS = {"police_justice": "26,18", "caw": "17,05", "education": "14,02", "medical_psychological": "11,81"}


def percent(printed: str) -> Decimal:
    return Decimal(printed.replace(",", "."))


def tolerance(printed: str, base: int, relative: float = 0.0) -> float:
    """How far a share of `base` rows may lie from a printed percentage and still match it.

    Half a unit of its last printed digit ("73" ± 0.5, "0,33" ± 0.005), plus one row of the
    base (counts are whole, so a share moves in steps of 100 / base), plus `relative` times the
    figure where the test's base is not the publication's. A printed "0,05" fails at 0 rows.
    """
    half_unit = float(Decimal(1).scaleb(percent(printed).as_tuple().exponent)) / 2
    return half_unit + 100 / base + relative * float(percent(printed))


def assert_shares_match(shares: dict, published: dict[str, str], *, base: int, relative: float = 0.0) -> None:
    """Each published share is matched (see `tolerance`) by the code's share; a missing code is 0 %."""
    misses = {
        code: (round(shares.get(code, 0), 4), printed)
        for code, printed in published.items()
        if abs(shares.get(code, 0) - float(percent(printed))) > tolerance(printed, base, relative)
    }
    assert misses == {}, misses
