"""Demo history for this app (called by `manage.py loaddemo` after the organisation is loaded)."""


def load_history() -> str:
    return ""
