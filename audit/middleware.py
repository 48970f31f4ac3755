from django.db import connection
from pghistory.middleware import HistoryMiddleware as PghistoryMiddleware


class HistoryMiddleware(PghistoryMiddleware):
    """Attach the acting user to every change pghistory records during the request.

    pghistory's context is injected as PostgreSQL session variables; on the SQLite demo there
    are no history triggers, so the middleware steps aside. Only the path is kept, never the
    query string (a search term may be personal).
    """

    def __call__(self, request):
        if connection.vendor != "postgresql":
            return self.get_response(request)
        return super().__call__(request)
