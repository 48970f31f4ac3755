"""The plan of one demo year: its contacts and reported persons as dicts of field values.

Every draw comes from the year's own `random.Random`, in a fixed order: changing the order of
the calls below changes every demo contact after it.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from datetime import datetime

from .allocation import assign, assign_multi, deal, largest_remainder
from .assumptions import (
    DATE_ONLY_SHARE,
    EMAIL_HOURS,
    HANDLING_ACTION_WEIGHTS,
    HANDLING_WEIGHTS,
    MEDIAN_DURATION,
    MEDIAN_DURATION_DEFAULT,
    MONTH_PROFILE,
    OUTSIDE_HOURS,
    PERSONS_PER_CONTACT,
    REFERRAL_AFFINITY,
    REFERRALS_PER_PERSON,
    TEAM_REGION,
    TEAM_WEIGHTS,
    VIOLENCE_AFFINITY,
    VIOLENCE_FORMS_PER_PERSON,
    age_affinity,
    anonymous_affinity,
    context_affinity,
    gender_affinity,
    relation_affinity,
)
from .figures import (
    CALLER_ROLE_LEGACY,
    CHANNEL_BY_AGE_GROUP_2024,
    CHANNEL_BY_GENDER_2024,
    LEEG,
    MONTH_X_CALLER_GENDER_2020,
    MONTH_X_CHANNEL_2020,
    PERSON_AGE_2024,
    REFERRALS_2024,
    VIOLENCE_FORMS_2024,
    YEAR_TOTALS,
)
from .lookups import BRUSSELS, Lookups, local_instant, month_days
from .weights import (
    anonymous_weights,
    caller_age_weights,
    caller_gender_weights,
    channel_weights,
    context_weights,
    person_gender_weights,
    problem_weights,
    relation_weights,
)


def plan_contacts(rng: random.Random, lookups: Lookups, year: int) -> list[dict]:
    """The year's contacts as dicts of field values, in chronological order."""
    total, _, _ = YEAR_TOTALS[year]
    contacts: list[dict] = [{} for _ in range(total)]
    assign(rng, contacts, "caller_age", caller_age_weights(year, total))
    for contact in contacts:
        contact["age_group"] = lookups.rollup("caller_age", contact["caller_age"])

    if year == 2020:
        _assign_2020_month_channel_gender(rng, contacts)
    else:
        assign(rng, contacts, "caller_gender", caller_gender_weights(year))
        channel = channel_weights(year)
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

    relations = relation_weights(year, total, lambda code: lookups.rollup("caller_relation", code))
    if year in CALLER_ROLE_LEGACY:  # published role counts (000 1.b, 003): keep them exact
        assign(rng, contacts, "caller_relation", relations)
    else:
        assign(rng, contacts, "caller_relation", relations, given=("age_group",), affinity=relation_affinity)
    assign(rng, contacts, "anonymous", anonymous_weights(year), given=("channel",), affinity=anonymous_affinity)
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
    contacts.sort(key=lambda c: (c["started_on"], c["started_at"] or local_instant(c["started_on"], 0)))
    return contacts


def _assign_2020_month_channel_gender(rng: random.Random, contacts: list[dict]) -> None:
    """2020's published month × channel and month × caller gender tables (003), exactly."""
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
    assign(
        rng, persons, "age", PERSON_AGE_2024, given=("problem",),
        affinity=lambda group, code: age_affinity(group[0], code, lookups.rollup("person_age", code)),
    )  # fmt: skip
    assign(
        rng, persons, "gender", person_gender_weights(year), given=("problem",),
        affinity=lambda group, code: gender_affinity(group[0], code),
    )  # fmt: skip
    contexts = context_weights(year, lambda code: lookups.rollup("context", code))
    if year == 2020:  # 003 publishes the 2020 context table: keep it exact, uncorrelated
        assign(rng, persons, "context", contexts)
    else:
        assign(
            rng, persons, "context", contexts, given=("problem",),
            affinity=lambda group, code: context_affinity(group[0], code, lookups.rollup("context", code)),
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
    counts = largest_remainder(problem_weights(year), len(persons))
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
        deal(rng, persons, indexes, "problem", per_segment[valid])


def _moment(rng: random.Random, lookups: Lookups, year: int, month: int, channel: str | None) -> datetime:
    """A start instant in the month: live channels mostly inside their hours, e-mail any time."""
    if channel in OUTSIDE_HOURS:
        open_days = lookups.open_days(channel, year, month)
        if open_days and rng.random() >= OUTSIDE_HOURS[channel]:
            day, slots = rng.choice(open_days)
            opens, closes = rng.choices(slots, weights=[c.hour - o.hour or 1 for o, c in slots])[0]
            start, end = opens.hour * 60 + opens.minute, closes.hour * 60 + closes.minute
            return local_instant(day, rng.randrange(start, end))
        day = rng.choice(month_days(year, month))
        if day.weekday() < 5:  # early morning or evening, around the opening hours
            return local_instant(day, rng.choice([rng.randrange(7 * 60, 9 * 60), rng.randrange(18 * 60, 22 * 60)]))
        return local_instant(day, rng.randrange(9 * 60, 21 * 60))
    days = month_days(year, month)
    day = rng.choices(days, weights=[1.0 if d.weekday() < 5 else 0.6 for d in days])[0]
    hour = rng.choices(range(24), weights=EMAIL_HOURS)[0]
    return local_instant(day, hour * 60 + rng.randrange(60))


def _duration(rng: random.Random, channel: str | None) -> int:
    median = MEDIAN_DURATION.get(channel or "", MEDIAN_DURATION_DEFAULT)
    return max(2, min(180, round(rng.lognormvariate(0, 0.5) * median)))


def plan_handling(rng: random.Random) -> dict:
    """Values for the handling fields of one complete contact (recorded from NEW_SYSTEM_FROM)."""
    values = {name: rng.choices(list(c), weights=list(c.values()))[0] for name, c in HANDLING_WEIGHTS.items()}
    values["actions"] = [a for a, weight in HANDLING_ACTION_WEIGHTS.items() if rng.random() * 100 < weight]
    return values
