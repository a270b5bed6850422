"""python -m warehouse: the warehouse's own commands (migrate, compact)."""

import sys

from warehouse.cli import main

sys.exit(main())
