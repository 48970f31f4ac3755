"""`migrate` as the owner role, then the app's role granted exactly what it needs (audit.roles).

With MIGRATE_DATABASE_URL set, the default database is migrated with the owner's login (its user,
password, host and port; the database stays the one DATABASE_URL names, so pytest's test database
works too), and afterwards the role of DATABASE_URL gets its privileges. Without it, one role does
both, as in development and the test suite, and there is nothing to grant.
"""

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands import migrate
from django.db import DEFAULT_DB_ALIAS, connections

from audit.roles import RoleError, grant_app_role

CREDENTIALS = ("USER", "PASSWORD", "HOST", "PORT")


class Command(migrate.Command):
    help = migrate.Command.help + " With MIGRATE_DATABASE_URL: as that owner, then grants DATABASE_URL's role."

    def handle(self, *args, **options):
        owner = getattr(settings, "MIGRATE_DATABASE", None)
        if not owner or options["database"] != DEFAULT_DB_ALIAS:
            return super().handle(*args, **options)
        connection = connections[DEFAULT_DB_ALIAS]
        if connection.vendor != "postgresql":
            raise CommandError("MIGRATE_DATABASE_URL (an owner role) is for PostgreSQL only.")
        app_settings = {key: connection.settings_dict.get(key) for key in CREDENTIALS}
        connection.close()
        connection.settings_dict.update({key: owner.get(key) for key in CREDENTIALS})
        try:
            super().handle(*args, **options)
            grant_app_role(app_settings["USER"], using=DEFAULT_DB_ALIAS)
        except RoleError as error:
            raise CommandError(str(error)) from error
        finally:
            connection.close()
            connection.settings_dict.update(app_settings)
        if options["verbosity"] >= 1:
            self.stdout.write(f"Granted the app's role {app_settings['USER']!r} its privileges.")
