"""Demo registrations for 2012–2024, shaped like the published 1712 figures.

`demo_years_create(years, seed=...)` writes, for each year, contacts with their reported
persons, forms of violence and referrals whose counts are exact by construction: every coded
field is allocated per code with largest-remainder rounding and then shuffled, so the yearly
totals are hit to the unit and the shares to a rounding. The generator is deterministic: one
`random.Random` per (seed, year), so a year comes out the same whether it is generated alone or
with the others.

- `figures.py`: the published figures, each with its source (a seed document and its table or
  sentence), and which values are derived, interpolated or assumed;
- `assumptions.py`: the choices no source publishes (teams, hours, handling, affinities);
- `allocation.py`: the pure arithmetic (largest remainder, fitting, exact assignment);
- `weights.py`: the weights of each field in a given year, built from the figures;
- `lookups.py`: what is read from the database once (codes and their roll-ups, teams, hours);
- `planning.py`: one year's contacts and persons as plain dicts;
- `writing.py`: the inserts, the delete of earlier demo data, and the audit entries.
"""

from .figures import YEAR_TOTALS
from .writing import DEFAULT_SEED, DEMO_PREFIX, YearSummary, demo_data_delete, demo_years_create

__all__ = ["DEFAULT_SEED", "DEMO_PREFIX", "YEAR_TOTALS", "YearSummary", "demo_data_delete", "demo_years_create"]
