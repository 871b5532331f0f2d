"""URLs of this app (pages are added by area modules, urls_<area>.py)."""

urlpatterns: list = []
