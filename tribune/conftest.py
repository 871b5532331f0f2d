import pytest
from django.utils import translation

from tribune.testing.browser import chromium, page  # noqa: F401
from tribune.testing.fixtures import alice, bob, charlie, workspace  # noqa: F401


@pytest.fixture(autouse=True)
def english_outside_requests():
    """Code run outside a request (actions, checks, tasks) speaks English in tests.

    The product's default language is French; tests that check French ask for it.
    Requests still choose their language through the middleware.
    """
    with translation.override("en"):
        yield
