"""Reload the reference data the data migrations load: code lists, teams, opening hours, closures.

For tests that flush the database (browser tests on a live server): they get exactly the
rows `migrate` gives, because the migrations' own (frozen) loaders run again. Loading only
adds what is missing, as in the migrations.
"""

from importlib import import_module

from django.apps import apps

# The data migrations, in order, and the function each runs.
DATA_MIGRATIONS = (
    ("0002_load_code_lists", "load"),
    ("0004_relation_labels_en", "fill"),
    ("0005_age_group_rollup", "fill"),
    ("0006_code_search_words", "fill"),
)


def load_all(*_models) -> None:
    """Run the data migrations' loaders again (the model arguments of older callers are not needed)."""
    for module_name, function in DATA_MIGRATIONS:
        module = import_module(f"registration.migrations.{module_name}")
        getattr(module, function)(apps, None)
