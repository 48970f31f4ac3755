"""The WSGI entry point sets start-up's objects aside from the garbage collector (helpline/wsgi.py):
a full collection then walks only what requests made, instead of pausing a request for ~0.1 s."""

import gc
import importlib
import sys


def test_loading_the_wsgi_application_freezes_what_start_up_made():
    gc.unfreeze()
    sys.modules.pop("helpline.wsgi", None)
    try:
        wsgi = importlib.import_module("helpline.wsgi")
        assert callable(wsgi.application)
        frozen = gc.get_freeze_count()
        assert frozen > 10_000
        # What start-up made is no longer walked: a full collection sees only what came after.
        assert len(gc.get_objects()) < frozen
    finally:
        gc.unfreeze()
