"""Demo data, in one place: the Chizhou organisation, a year of history, and the cast of accounts.

`loader.load_demo()` runs the steps of `loader.STEPS` in order (organisation → accounts → opinions and meetings →
suggestions → the demo accounts' story → insight → rollups). Everything is seeded, so a load on the same date gives
the same rows; bulk rows carry the same hash-chained events the services would have written (`bulk.py`), so the
loaded database passes `manage.py verify_audit`. `cast.py` names the accounts (roles and scopes) that the demo,
tests/cast.py and bench/ share.

A plain package, not a Django app: the `loaddemo` and `demo_accounts` commands stay in liaison/org and call it.
"""
