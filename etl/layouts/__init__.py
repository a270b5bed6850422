"""Writers of district ledgers (台账) in the layouts districts really send (see DOMAIN.md).

Each writer takes plain project rows (dicts; see `write_title_twoheader_xlsx` for the keys) and
writes one file. They feed the demo data set and the loader's tests, so every quirk is on
purpose and every figure is exact: money stays Decimal, and a number goes into a cell as a
number only when the float holds the Decimal's digits exactly.

Optional row keys beyond the project fields: `amount_text` (write this text instead of the
amount — a district's unusable entry), `masked` (publication copies: hide the amount).
"""

# the package's public names, re-exported (the writers feed etl/demo, etl/template, tests and bench)
from etl.layouts.cells import (CN_DIGITS, DATE_STYLES, EXCEL_EPOCH, SECTION_ORDER, STAGES, cell_number,
                               chinese_numeral, decimal_text, district_alias, excel_serial, format_amount,
                               format_date, full_district_name, in_unit, save_workbook, short_district_name,
                               stage_text, style_header, title_lines)
from etl.layouts.writers import (A_GROUPS, B_DATE_FIELDS, B_DATE_HEADERS, B_GUIDE, B_SHEET_ORDER, C_HEADERS,
                                 D_HEADERS, E_HEADERS, WITH_TOTALS, WITHOUT_COORDINATES, WRITERS,
                                 write_flat_csv_gb18030, write_legacy_xls, write_masked_publication_xlsx,
                                 write_sheet_per_stage_xlsx, write_title_twoheader_xlsx)

