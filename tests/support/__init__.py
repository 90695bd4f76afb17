"""Helpers shared by tests that need real processes (servers started by the tests themselves)."""
