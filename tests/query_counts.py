"""Query counts that depend on the database (used by the tests that pin a page's queries).

On PostgreSQL the audit trail writes a read event and the contacts it names in one statement; on
SQLite in two (audit.services.audit_event).
"""

from django.db import connection

AUDIT_READ = 1 if connection.vendor == "postgresql" else 2
