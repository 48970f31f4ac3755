import pytest


@pytest.fixture(autouse=True)
def audit_calls(monkeypatch):
    """Records every report run's audit_event call (the audit app writes the entry itself)."""
    calls = []

    def record(actor, action, *, via="web", contact_ids=(), details=None):
        calls.append({"actor": actor, "action": action, "via": via, "details": details})

    monkeypatch.setattr("reports.services.audit_event", record)
    return calls
