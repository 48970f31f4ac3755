"""What no source publishes: plausible choices that shape the demo data, all assumed.

The published marginals in `figures.py` stay exact to a rounding; the choices here only decide
how contacts spread over teams, months and hours, how persons spread over contacts, what the
handling fields say, and which codes go together (the affinities), so that the crosses look
believable.
"""

from __future__ import annotations

from .allocation import Weights

# Teams, roughly by population, and the phone menu region of each team (domain.md: callers pick
# a province in the menu; each team answers its own).
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

# Contacts per month when no table is published: a mild summer and December dip.
MONTH_PROFILE: Weights = {
    "01": 8.3, "02": 8.1, "03": 8.6, "04": 8.5, "05": 8.6, "06": 8.3,
    "07": 7.9, "08": 7.8, "09": 8.4, "10": 8.7, "11": 8.6, "12": 8.2,
}  # fmt: skip

# Persons per contact with several reported persons: mostly two, siblings often together.
PERSONS_PER_CONTACT = {2: 0.62, 3: 0.24, 4: 0.09, 5: 0.04, 6: 0.01}
VIOLENCE_FORMS_PER_PERSON = {1: 0.55, 2: 0.33, 3: 0.12}
REFERRALS_PER_PERSON = {0: 0.35, 1: 0.45, 2: 0.20}

# Share of legacy records with a date only (domain.md: legacy records may have no time).
DATE_ONLY_SHARE = {2012: 0.45, 2013: 0.40, 2014: 0.15, 2015: 0.10}
# Share of live-channel contacts registered outside the opening hours.
OUTSIDE_HOURS = {"phone": 0.05, "chat": 0.07}
# E-mail (any time of day): weight per local hour.
EMAIL_HOURS = [1, 1, 0.5, 0.5, 0.5, 1, 2, 4, 6, 7, 7, 7, 6, 6, 6, 6, 6, 6, 6, 7, 8, 8, 6, 3]
# Median duration in minutes per channel (and for an empty channel).
MEDIAN_DURATION = {"phone": 18, "chat": 35, "email": 15}
MEDIAN_DURATION_DEFAULT = 15

# The handling fields and follow-ups are recorded from this year on.
NEW_SYSTEM_FROM = 2022
# Weights of the values of each handling field; models.HANDLING_CHOICES says which are allowed.
# The order matters: one draw per field, in this order.
HANDLING_WEIGHTS = {
    "concerning": {"yes": 55, "no": 35, "unknown": 10},
    "risk_level": {"low": 50, "medium": 30, "high": 10, "unknown": 10},
    "help_involved": {"yes": 40, "no": 45, "unknown": 15},
    "justice_involved": {"yes": 15, "no": 70, "unknown": 15},
    "manifest_safety_risk": {"yes": 8, "no": 80, "unknown": 12},
    "new_contact_expected": {"yes": 20, "no": 60, "unknown": 20},
}
# Percent of complete contacts with each handling action (handling_action codes).
HANDLING_ACTION_WEIGHTS = {"inform_orient": 70, "advise": 50, "guide_to_help": 45, "notify": 4, "callback": 8}
# Share of complete new-system contacts that follow up an earlier contact of the same year.
FOLLOW_UP_SHARE = 0.04


# Affinities: how much more likely a code is in a group than on average.


def age_affinity(problem: str | None, age: str | None, age_group: str) -> float:
    """A person's age (code and its age group) against their main problem."""
    if age_group == "unknown" or problem is None:
        return 1.0
    minor = age_group == "minor"
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


def gender_affinity(problem: str | None, gender: str | None) -> float:
    """A person's gender against their main problem."""
    if problem in ("partner_violence", "stalking") and gender in ("female", "male"):
        return 3.5 if gender == "female" else 0.8
    if problem == "elder_abuse" and gender == "female":
        return 1.5
    return 1.0


def context_affinity(problem: str | None, context: str | None, context_group: str) -> float:
    """A person's context (code and its intra/extrafamilial roll-up) against their main problem."""
    if problem in ("extrafamily_adult_violence", "institutional_abuse", "violence_between_minors"):
        if problem == "institutional_abuse" and context in ("youth_institution", "care_home", "religion", "sport"):
            return 400.0
        if problem == "violence_between_minors" and context in ("school", "leisure", "sport"):
            return 60.0
        return 40.0 if context_group == "extrafamilial" else 0.05
    if problem in ("partner_violence", "intrafamily_adult_violence", "divorce_problems", "parent_abuse"):
        return 3.0 if context_group == "intrafamilial" else 0.05
    if problem == "elder_abuse" and context == "care_home":
        return 60.0
    return 1.0


def relation_affinity(group: tuple, code: str | None) -> float:
    """The caller's relation against their age group: a young caller is more often the victim themself."""
    return 2.5 if group == ("minor",) and code == "1100" else 1.0


def anonymous_affinity(group: tuple, code: str | None) -> float:
    """Anonymity against the channel: chat is the most anonymous channel, an e-mail often signed."""
    channel = group[0]
    if channel == "chat":
        return {"yes": 1.6, "no": 0.5}.get(code, 1.0)
    if channel == "email":
        return {"yes": 0.7, "no": 1.6}.get(code, 1.0)
    return 1.0


# Forms of violence and referrals per main problem.
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
