from tribune.testing.browser import chromium, page  # noqa: F401
from tribune.testing.fixtures import alice, bob, charlie, workspace  # noqa: F401
