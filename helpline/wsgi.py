import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpline.settings")

application = get_wsgi_application()

from django.urls import get_resolver  # noqa: E402  (needs the settings loaded above)

from helpline.startup import refuse_public_secret_key  # noqa: E402

refuse_public_secret_key()

# Every view module imported, then everything loaded so far set aside from the garbage collector
# (gc.freeze): a worker holds some 120,000 objects from start-up, and a full collection walking
# them took ~110 ms in the middle of whichever request triggered it (issue 13, load test tails);
# after the freeze a full collection walks only what requests made since.
get_resolver().url_patterns  # noqa: B018 - imports the URLconf and its views now, not at the first request
gc.collect()
gc.freeze()
