"""Tribune: a social media strategy, calendar and publishing platform."""

__version__ = "0.1.0"
