"""`{% measure_methods %}`: the methods under every objective, made once per language."""

from __future__ import annotations

from django.template import Context, Template
from django.utils import translation
from django.utils.html import escape

from tribune.analytics.kpis import FORECAST_METHOD, METHODS


def test_it_gives_the_methods_in_the_active_language_each_time():
    template = Template("{% load objective_measures %}{% measure_methods %}")
    shown = {}
    for language in ("en", "fr", "en", "fr"):
        with translation.override(language):
            text = template.render(Context())
            assert escape(str(FORECAST_METHOD)) in text, language
            assert text.count("<dt>") == len(METHODS)
            assert shown.setdefault(language, text) == text
    assert shown["en"] != shown["fr"]
