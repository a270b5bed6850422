"""Pure functions that turn ledger cell text into typed values. No I/O here.

Each module knows one family of quirks (amounts, dates, places, coordinates, headers, rows);
their tests sit in tests/test_normalise_*.py.
"""
