"""Reads of suggestions (filled in by the suggestion loop)."""


def suggestions_for_report_back(station, year: int, month: int) -> list:
    """Suggestions that came from `station`'s meeting of (year, month), for next month's report-back section."""
    return []


def suggestions_for_opinion(opinion) -> list:
    """Suggestions an opinion fed into (lineage), for the opinion and status pages."""
    return []
