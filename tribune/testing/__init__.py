"""Test support shared by every app: fixtures, service probes, browser helpers."""
