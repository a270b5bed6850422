"""python -m accounts: manage who may sign in (the command line over warehouse/accounts.py)."""
