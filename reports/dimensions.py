"""The dimensions a report can count by: code lists, derived dimensions and time.

Each dimension says at which level it lives (the contact, the reported person, or a
multi-valued field of the person), which stored field it groups by, and — for a derived
dimension — how a stored code maps onto the derived code. The derived mappings that are
not data in the Code table are named here once, with the reason (domain.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

CONTACT = "contact"
PERSON = "person"
MULTI = "multi"

LEEG = None
WITHOUT_PERSON = "without_person"


@dataclass(frozen=True)
class Dimension:
    key: str
    level: str
    # The stored field grouped by, relative to the level's model (Contact, ReportedPerson,
    # or the multi-valued row). "month", "year" and "team" are special-cased in selectors.
    field: str
    # The code list that gives codes, labels and order; None for derived/time dimensions.
    code_list: str | None = None
    # For derived dimensions: the kind of mapping applied to the stored code.
    derive: str | None = None
    # Whether the dimension has a Leeg row (an empty stored value) of its own.
    has_leeg: bool = True
    title: str = ""


# Age groups for reports (domain.md): not data in the Code table, so named here.
CALLER_AGE_GROUPS = {
    "under_12": "minor",
    "12_17": "minor",
    "minor_unknown": "minor",
    "18_64": "adult",
    "65_plus": "adult",
    "adult_unknown": "adult",
}
CALLER_AGE_GROUP_CODES = ["minor", "adult", "unknown"]
CALLER_ROLE_CODES = ["victim", "perpetrator", "bystander", "unknown"]
CALLER_RELATION_GROUP_CODES = ["self", "close_to_victim", "perpetrator_side", "work_leisure", "unknown"]
CONTEXT_ROLLUP_CODES = ["intrafamilial", "extrafamilial", "unknown"]
WITHIN_OPENING_HOURS_CODES = ["within", "outside", "unknown"]
MONTH_CODES = [f"{m:02d}" for m in range(1, 13)]
HOUR_CODES = [f"{h:02d}" for h in range(24)] + [None]


def relation_group_fallback(code: str) -> str:
    """The 2024 report's relation group of a relation code without a roll-up in the Code table.

    Codes are the legacy numeric relation codes: 1100 the victim; 12xx–19xx close to the
    victim; 2xxx the perpetrator's side; 3xxx–7000 through work or leisure; the rest unknown.
    """
    if code == "1100":
        return "self"
    if not code.isdigit():
        return "unknown"
    number = int(code)
    if 1200 <= number <= 1999:
        return "close_to_victim"
    if 2000 <= number <= 2999:
        return "perpetrator_side"
    if 3000 <= number <= 7000:
        return "work_leisure"
    return "unknown"


DERIVED_LABELS = {
    "caller_role": {
        "victim": _("Mogelijk slachtoffer"),
        "perpetrator": _("Mogelijke dader"),
        "bystander": _("Omstaander"),
        "unknown": _("Onbekend"),
    },
    "caller_age_group": {
        "minor": _("Minderjarig"),
        "adult": _("Meerderjarig"),
        "unknown": _("Onbekend"),
    },
    "caller_relation_group": {
        "self": _("Slachtoffer zelf"),
        "close_to_victim": _("Iemand uit de omgeving van het slachtoffer"),
        "perpetrator_side": _("Pleger of iemand uit diens omgeving"),
        "work_leisure": _("Via werk of vrije tijd"),
        "unknown": _("Onbekend"),
    },
    "context_rollup": {
        "intrafamilial": _("Intrafamiliaal"),
        "extrafamilial": _("Extrafamiliaal"),
        "unknown": _("Onbekend"),
    },
    "within_opening_hours": {
        "within": _("Binnen de openingsuren"),
        "outside": _("Buiten de openingsuren"),
        "unknown": _("Onbekend (geen tijdstip)"),
    },
}

MONTH_LABELS = [
    _("januari"),
    _("februari"),
    _("maart"),
    _("april"),
    _("mei"),
    _("juni"),
    _("juli"),
    _("augustus"),
    _("september"),
    _("oktober"),
    _("november"),
    _("december"),
]

LEEG_LABEL = _("Leeg")
WITHOUT_PERSON_LABEL = _("Meldingen zonder gemelde persoon")

DIMENSIONS: dict[str, Dimension] = {
    d.key: d
    for d in [
        Dimension("channel", CONTACT, "channel", "channel", title=_("Kanaal")),
        Dimension("caller_age", CONTACT, "caller_age", "caller_age", title=_("Leeftijd contactnemer")),
        Dimension(
            "caller_age_group",
            CONTACT,
            "caller_age",
            derive="caller_age_group",
            has_leeg=False,
            title=_("Leeftijdsgroep contactnemer"),
        ),
        Dimension("caller_gender", CONTACT, "caller_gender", "caller_gender", title=_("Gender contactnemer")),
        Dimension("anonymous", CONTACT, "anonymous", "anonymous", title=_("Anonimiteit")),
        Dimension(
            "caller_relation", CONTACT, "caller_relation", "caller_relation", title=_("Relatie tot het slachtoffer")
        ),
        Dimension(
            "caller_relation_group",
            CONTACT,
            "caller_relation",
            derive="caller_relation_group",
            has_leeg=False,
            title=_("Relatie tot het slachtoffer (gegroepeerd)"),
        ),
        Dimension("caller_role", CONTACT, "caller_role", derive="stored", has_leeg=False, title=_("Rol contactnemer")),
        Dimension("team", CONTACT, "team", derive="team", title=_("Team")),
        Dimension("caller_region", CONTACT, "caller_region", "caller_region", title=_("Regio contactnemer")),
        Dimension(
            "within_opening_hours",
            CONTACT,
            "within_opening_hours",
            derive="stored",
            has_leeg=False,
            title=_("Binnen of buiten de openingsuren"),
        ),
        Dimension("month", CONTACT, "month", derive="month", has_leeg=False, title=_("Maand")),
        Dimension("hour", CONTACT, "started_hour", derive="hour", has_leeg=False, title=_("Uur van de dag")),
        Dimension("year", CONTACT, "year", derive="year", has_leeg=False, title=_("Jaar")),
        Dimension("person_gender", PERSON, "gender", "person_gender", title=_("Gender gemelde persoon")),
        Dimension("person_age", PERSON, "age", "person_age", title=_("Leeftijd gemelde persoon")),
        Dimension("problem", PERSON, "problem", "problem", title=_("Belangrijkste problematiek")),
        Dimension(
            "problem_series",
            PERSON,
            "problem",
            "problem",
            derive="problem_series",
            title=_("Belangrijkste problematiek (vergelijkbare reeks over 2021 heen)"),
        ),
        Dimension("context", PERSON, "context", "context", title=_("Context van het geweld")),
        Dimension(
            "context_rollup",
            PERSON,
            "context",
            derive="context_rollup",
            has_leeg=False,
            title=_("Context (intra- of extrafamiliaal)"),
        ),
        Dimension(
            "violence_forms", MULTI, "violence_forms", "violence_forms", has_leeg=False, title=_("Vormen van geweld")
        ),
        Dimension("referrals", MULTI, "referrals", "referrals", has_leeg=False, title=_("Doorverwijzingen")),
    ]
}

# The dimensions a user may cross in the page (year only makes sense over a range).
CROSSABLE = [key for key in DIMENSIONS]
