"""Query counts that depend on the database (used by the tests that pin a page's queries).

On PostgreSQL the audit trail writes a read event and the contacts it names in one statement; on
SQLite in two (audit.services.audit_event).
"""

from django.conf import settings
from django.db import connection

AUDIT_READ = 1 if connection.vendor == "postgresql" else 2

# With Redis each process keeps the code lists (and the opening hours and closures) and reads them
# only when one changed (registration/codebook.py); without it each read is a query.
CODES = 0 if settings.CODEBOOK_PROCESS_CACHE else 1
