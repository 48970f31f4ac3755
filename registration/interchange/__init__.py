"""The JSON Lines interchange format of domain.md: parse, validate, import, export.

An import is all or nothing: every line is parsed and checked first (`parse`), each error
with its line number; only a file without errors is written (`load`), in one transaction,
with bulk inserts. Records are idempotent by external_id. `export` writes the same format.
"""

from .export import export_contacts, export_record
from .load import ImportResult, import_lines, import_records
from .parse import ImportFailed, ParsedContact, Reference, parse_line, parse_lines

__all__ = [
    "ImportFailed",
    "ImportResult",
    "ParsedContact",
    "Reference",
    "export_contacts",
    "export_record",
    "import_lines",
    "import_records",
    "parse_line",
    "parse_lines",
]
