import sys

# The loader never uses pandas, but duckdb imports it (~0.25 s) the first time a query binds a
# parameter, only to check whether the value is a DataFrame. Blocking it keeps command-line loads
# close to the speed of a bare spreadsheet read (bench/ledger_200k.py).
sys.modules.setdefault("pandas", None)

from etl.cli import main  # noqa: E402

sys.exit(main())
