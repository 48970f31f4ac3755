"""The code lists kept per process (registration/codebook.py, issue 13): read once, read again
as soon as any process changed a code, never stale after an administrator's edit."""

import pytest
from django.core.cache import cache
from django.test import Client

from registration import codebook
from registration.codebook import VERSION_KEY, CodeBook
from registration.derivation import relation_roles
from registration.models import Code
from tests.conftest import verify_two_factor

pytestmark = pytest.mark.django_db

NEW = "/contacts/new/"


@pytest.fixture
def held(settings):
    settings.CODEBOOK_PROCESS_CACHE = True
    codebook.codes_changed()


def _client(user):
    client = Client()
    client.force_login(user)
    verify_two_factor(client, user)
    return client


def test_the_codes_are_read_once_per_process_while_none_changes(held, django_assert_num_queries):
    first = CodeBook()
    with django_assert_num_queries(0):
        again = CodeBook(lists=["caller_region"])
        roles = relation_roles()
    assert again.label("caller_region", "antwerpen") == first.label("caller_region", "antwerpen")
    assert [c.code for c in again.codes["caller_region"]] == list(
        Code.objects.filter(list="caller_region").order_by("sort", "code").values_list("code", flat=True)
    )
    assert roles == dict(Code.objects.filter(list="caller_relation").values_list("code", "caller_role"))
    assert set(again.codes) == {"caller_region"}


def test_an_administrators_edit_shows_on_the_next_form(held, administrator, counsellor):
    counsellor_client = _client(counsellor)
    assert "1200 (stief)ouder(s) van het slachtoffer" in counsellor_client.get(NEW).content.decode()  # held
    code = Code.objects.get(list="caller_relation", code="1200")
    admin = _client(administrator)
    form = admin.get(f"/admin/registration/code/{code.pk}/change/").context["adminform"].form
    data = {name: ("" if value is None else value) for name, value in form.initial.items() if name != "id"}
    data["label_nl"] = "ouder of stiefouder (hernoemd)"
    answer = admin.post(f"/admin/registration/code/{code.pk}/change/", data)
    assert answer.status_code == 302
    page = counsellor_client.get(NEW).content.decode()
    assert "1200 ouder of stiefouder (hernoemd)" in page
    assert "1200 (stief)ouder(s) van het slachtoffer" not in page


def test_a_change_in_another_process_is_seen_through_the_shared_version(held, django_assert_num_queries):
    CodeBook()
    # Another process saves a code: its own copy is gone, the shared version moves.
    Code.objects.filter(list="caller_region", code="limburg").update(label_nl="Limburg (gewijzigd)")
    cache.set(VERSION_KEY, "another-process")
    with django_assert_num_queries(1):
        book = CodeBook()
    assert book.label("caller_region", "limburg") == "Limburg (gewijzigd)"


def test_a_deleted_or_new_code_is_seen_at_once(held):
    CodeBook()
    Code.objects.create(list="caller_region", code="elders", label_nl="Elders", sort=999)
    assert CodeBook().label("caller_region", "elders") == "Elders"
    Code.objects.filter(list="caller_region", code="elders").get().delete()
    assert CodeBook().find("caller_region", "elders") is None


def test_without_the_process_cache_every_book_reads_the_database(settings, django_assert_num_queries):
    settings.CODEBOOK_PROCESS_CACHE = False
    CodeBook()
    with django_assert_num_queries(1):
        CodeBook()


def test_a_closure_added_in_the_admin_is_seen_by_the_next_derivation(held, administrator):
    from datetime import UTC, date, datetime

    from registration.derivation import within_opening_hours_for
    from registration.models import Closure

    tuesday = datetime(2024, 4, 2, 8, 30, tzinfo=UTC)  # 10:30 in Brussels, a working day
    assert within_opening_hours_for("phone", tuesday) == "within"  # read and held
    admin = _client(administrator)
    assert admin.post("/admin/registration/closure/add/", {"date": "2024-04-02", "name": "Test"}).status_code == 302
    assert Closure.objects.filter(date=date(2024, 4, 2)).exists()
    assert within_opening_hours_for("phone", tuesday) == "outside"


def test_the_shared_version_is_read_once_per_request(held, counsellor, monkeypatch):
    reads = []
    real = codebook.cache

    class Counting:
        def get(self, key, *args, **kwargs):
            reads.append(key)
            return real.get(key, *args, **kwargs)

        def __getattr__(self, name):
            return getattr(real, name)

    monkeypatch.setattr(codebook, "cache", Counting())
    client = _client(counsellor)
    client.get(NEW)  # a code book for the form and one for the drafts, the relation roles …
    assert reads.count(VERSION_KEY) == 1
    client.get(NEW)
    assert reads.count(VERSION_KEY) == 2


def test_without_the_shared_cache_the_codes_come_from_the_database(held, administrator, counsellor, monkeypatch):
    class Unreachable:
        def __getattr__(self, name):
            def refuse(*args, **kwargs):
                raise ConnectionError("redis is down")

            return refuse

    monkeypatch.setattr(codebook, "cache", Unreachable())
    counsellor_client = _client(counsellor)
    assert counsellor_client.get(NEW).status_code == 200
    code = Code.objects.get(list="caller_relation", code="1200")
    code.label_nl = "ouder (zonder cache)"
    code.save()  # the admin's save does not fail on the announcement
    assert "1200 ouder (zonder cache)" in counsellor_client.get(NEW).content.decode()
