"""Suggestion pages, thin and split by who uses them (deputy, staff, unit, public; pages all roles reach)."""
