"""Spreadsheet export and import of the knowledge base, for admins who edit procedures in Excel.

`export_xlsx` writes one sheet per kind of row (procedures, codes, cases_documents, channels,
fees, legal_basis, sources, provenance) plus a README sheet in Vietnamese; `import_xlsx` reads
such a file back and either returns records equal to what was exported (after the admin's
edits) or raises InvalidKnowledgeBase naming every problem by sheet, row and column, in
Vietnamese. The layout lives in `xlsx_layout`, the writer in `xlsx_export`, the reader in `xlsx_import`.
"""

from __future__ import annotations

from procedures_kb.xlsx_export import export_xlsx
from procedures_kb.xlsx_import import import_xlsx
from procedures_kb.xlsx_layout import SHEETS

__all__ = ["SHEETS", "export_xlsx", "import_xlsx"]
