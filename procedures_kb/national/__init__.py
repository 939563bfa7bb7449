"""The importer of the national procedure catalogue (a copy of dichvucong.gov.vn, June 2026).

`python -m procedures_kb import-national DIR [--report FILE]` turns the copy into records of our
schema under `data/national/` (one JSON file per record, `tthc-<code>.json`), each marked
`imported_from: national-tthc-2026-06` and every fact group unverified. Modules:

- `rules`    what is kept (levels, folders) and the fixed facts about the copy;
- `amounts`, `channels`, `tables`   the flattened table texts parsed back into facts;
- `records`  one record of the copy -> one `Procedure`, plus the facts left out and why;
- `merge`    curated records win for their codes; admins' edits survive a re-import;
- `report`   counts and per-record details; `importer` runs it all and writes the files.

A fact the parser is unsure of is left out and reported, never guessed. Steps are not copied:
the answer links the portal page.
"""

from procedures_kb.national.importer import import_national
from procedures_kb.national.report import Report

__all__ = ["Report", "import_national"]
