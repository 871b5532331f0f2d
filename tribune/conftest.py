from tribune.testing.fixtures import alice, bob, charlie, workspace  # noqa: F401
