"""Command line for admins: `python -m procedures_kb <command>`.

    validate                       check every file; print all problems
    search "…"                     which procedure does this text mean?
    show ID                        print one record
    export --xlsx FILE             the editors' records as a spreadsheet (with the KB version it
                                   shows); imported records of national/ are edited in their files
    import --xlsx FILE --by NAME   apply an edited spreadsheet (validated first; logged); only
                                   what was edited in it, refused if that was changed meanwhile
    stale --days N [--imported]    records not verified for more than N days (editors' records;
                                   --imported adds those an importer made, not reviewed yet)
    history [ID]                   who changed what, when
    rollback ID VERSION --by NAME  restore a saved version (checked against its hash; logged)
    audit-verify                   check the audit log's hash chain
    import-national DIR [--report FILE] [--summary FILE]
                                   records from a copy of the national catalogue, written to
                                   national/ of the KB directory (see procedures_kb/national)

Every change goes through the audit log (procedures_kb/audit.py): validated as a whole
first, nothing written when anything is wrong, and recorded with who, when and what.

Exit codes: 0 ok, 1 invalid KB or spreadsheet (or one exported before changes it would undo),
2 other errors, 3 no search match, 4 stale records, 5 audit log broken or a version tampered.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Callable, Dict, List, Optional

from motcua.atomic_file import atomic_write
from motcua.settings import get_settings
from procedures_kb.audit import AuditLog, NoChange, UnknownVersion
from procedures_kb.errors import AuditLogBroken, ConcurrentChange, InvalidKnowledgeBase, UnknownProcedure
from procedures_kb.import_plan import plan_import
from procedures_kb.kb import KnowledgeBase
from procedures_kb.kb_files import locked
from procedures_kb.kb_version import stamp_kb
from procedures_kb.loader import DATA_DIR, to_yaml
from procedures_kb.national import import_national
from procedures_kb.record_files import NATIONAL_DIR
from procedures_kb.schema import OPTIONAL_GROUPS, FactGroup, Procedure
from procedures_kb.xlsx_export import export_xlsx
from procedures_kb.xlsx_import import read_xlsx

IMPORTED_HELP = "include the records an importer made that nobody has reviewed yet (imported_from)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m procedures_kb", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dir", type=Path, default=DATA_DIR, help="KB directory (default: %(default)s)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("validate", help="check every file; print all problems")
    search = commands.add_parser("search", help="which procedure does this text mean?")
    search.add_argument("query")
    search.add_argument("--limit", type=int, default=5)
    show = commands.add_parser("show", help="print one procedure record")
    show.add_argument("procedure_id")
    show.add_argument("--json", action="store_true", help="print JSON instead of YAML")
    export = commands.add_parser("export", help="write the KB to a spreadsheet")
    export.add_argument("--xlsx", type=Path, required=True)
    imp = commands.add_parser("import", help="apply an edited spreadsheet")
    imp.add_argument("--xlsx", type=Path, required=True)
    imp.add_argument("--by", required=True, help="who makes the change (recorded in the audit log)")
    imp.add_argument("--reason", default="")
    imp.add_argument("--delete-missing", action="store_true", help="delete procedures that have no row in the sheet")
    stale = commands.add_parser("stale", help="records whose last verification is older than N days")
    stale.add_argument("--days", type=int, required=True)
    stale.add_argument("--today", type=dt.date.fromisoformat, help="date to count from (default: today in Vietnam)")
    unverified = commands.add_parser("unverified", help="fact groups not yet verified against an official source")
    for review in (stale, unverified):
        review.add_argument("--imported", action="store_true", help=IMPORTED_HELP)
    history = commands.add_parser("history", help="the audit log, oldest first")
    history.add_argument("procedure_id", nargs="?")
    rollback = commands.add_parser("rollback", help="restore a saved version of a procedure")
    rollback.add_argument("procedure_id")
    rollback.add_argument("version", type=int)
    rollback.add_argument("--by", required=True)
    rollback.add_argument("--reason", default="")
    verify = commands.add_parser("audit-verify", help="check the audit log's hash chain; exit 5 if broken")
    verify.add_argument("--expect-head", help="sha256 of an entry noted earlier (by a previous audit-verify)")
    national = commands.add_parser("import-national", help="import a copy of the national procedure catalogue")
    national.add_argument("copy_dir", type=Path, help="the copy (one folder per ministry of <code>.json files)")
    national.add_argument("--report", type=Path, help="write the full report (JSON) to this file")
    national.add_argument("--summary", type=Path, help="write the summary (Markdown) to this file too")
    return parser


def cmd_validate(args: argparse.Namespace, kb: KnowledgeBase) -> int:
    print(f"OK: {len(kb)} procedures in {args.dir}")
    return 0


def cmd_search(args: argparse.Namespace, kb: KnowledgeBase) -> int:
    result = kb.search(args.query, limit=args.limit)
    match = result.match
    if match:
        print(f"match: {match.procedure_id} ({match.title}) score={match.score:.2f}")
    else:
        print(f"no match (threshold {result.threshold:.2f})")
    for hit in result.hits:
        print(f"  {hit.score:.2f}  {hit.procedure_id:<32} via {hit.matched_name!r}")
    return 0 if match else 3


def cmd_show(args: argparse.Namespace, kb: KnowledgeBase) -> int:
    try:
        record = kb.get(args.procedure_id)
    except UnknownProcedure:
        print(f"no procedure with id {args.procedure_id!r}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(json.loads(record.json(exclude_none=True)), ensure_ascii=False, indent=2))
    else:
        print(to_yaml(record), end="")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    audit = AuditLog.for_kb(args.dir)
    with locked(args.dir):  # no change lands between the records and the hashes of their files
        kb = KnowledgeBase.load(args.dir)
        # The editors' records (<id>.yml); the imported ones of national/ are edited in their files
        # and reviewed from the import report.
        editable = [procedure for procedure in kb.all() if (args.dir / f"{procedure.id}.yml").is_file()]
        now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        stamp = stamp_kb(args.dir, editable, audit.read().head, now)
    export_xlsx(editable, args.xlsx, stamp=stamp)
    print(f"Wrote {len(editable)} procedures to {args.xlsx}")
    if len(editable) < len(kb):
        print(f"Not in the spreadsheet: {len(kb) - len(editable)} imported records of {NATIONAL_DIR}/", file=sys.stderr)
    return 0


def _notes(label: str, ids: List[str]) -> None:
    if ids:
        print(f"{label}: {', '.join(ids)}", file=sys.stderr)


def cmd_import(args: argparse.Namespace, kb: KnowledgeBase) -> int:
    book = read_xlsx(args.xlsx)  # raises InvalidKnowledgeBase with every problem
    audit = AuditLog.for_kb(args.dir)
    plan = plan_import(book, args.xlsx.name, kb, args.dir, audit, args.delete_missing)
    _notes("Not in the sheet, kept (use --delete-missing to delete)", plan.kept_missing)
    _notes("Added to the knowledge base after the export, kept", plan.kept_added)
    _notes("Changed in the knowledge base since the export, kept as they are now", plan.kept_changed)
    try:
        entries = audit.record_change(
            args.dir, plan.texts, by=args.by, reason=args.reason, action="import", expected=plan.expected
        )
    except ConcurrentChange as exc:
        ids = ", ".join(exc.procedure_ids)
        print(
            f"Không nhập gì: thủ tục {ids} vừa bị thay đổi trong lúc nhập; hãy chạy lại lệnh import.", file=sys.stderr
        )
        return 1
    if not entries:
        print("No change: the spreadsheet matches the knowledge base.")
    for entry in entries:
        changes = len(entry.changes)
        print(f"{entry.procedure_id}: version {entry.from_version} -> {entry.to_version} ({changes} changes)")
    return 0


def _to_review(args: argparse.Namespace, kb: KnowledgeBase) -> List[Procedure]:
    """The records a review command lists: the editors' ones, and with --imported the imported
    ones too (all unverified until reviewed; their import report lists what to check)."""
    chosen = [p for p in kb.all() if args.imported or p.imported_from is None]
    if len(chosen) < len(kb):
        print(f"Not listed: {len(kb) - len(chosen)} imported records not reviewed yet (--imported)", file=sys.stderr)
    return chosen


def cmd_stale(args: argparse.Namespace, kb: KnowledgeBase) -> int:
    today = args.today or get_settings().current_date()  # in MOTCUA_TIMEZONE, like the assistant
    records = _to_review(args, kb)
    old = [p for p in records if (today - p.last_verified).days > args.days]
    for procedure in sorted(old, key=lambda p: p.last_verified):
        age = (today - procedure.last_verified).days
        print(f"{procedure.last_verified.isoformat()}  {age:>5} days  {procedure.id:<32} {procedure.title}")
    print(f"{len(old)} of {len(records)} procedures not verified for more than {args.days} days")
    return 4 if old else 0


def cmd_unverified(args: argparse.Namespace, kb: KnowledgeBase) -> int:
    """What the assistant flags as unverified (with the official source and 1800 1096)."""
    count = 0
    records = _to_review(args, kb)
    for procedure in records:
        groups = [
            g.value
            for g in FactGroup
            if not procedure.is_verified(g) and (g not in OPTIONAL_GROUPS or procedure.holds(g))
        ]
        if groups:
            count += 1
            print(f"{procedure.id:<32} {', '.join(groups)}")
    print(f"{count} of {len(records)} procedures have unverified fact groups")
    return 0


def cmd_history(args: argparse.Namespace, kb: KnowledgeBase) -> int:
    reading = AuditLog.for_kb(args.dir).read()
    entries = [e for e in reading.entries if args.procedure_id is None or e.procedure_id == args.procedure_id]
    for entry in entries:
        who = f"{entry.by} [{entry.os_user}]" if entry.os_user else entry.by
        print(f"{entry.ts}  {who:<24} {entry.action:<8} {entry.procedure_id} v{entry.to_version}  {entry.reason}")
        for change in entry.changes:
            print(f"    {change['path']}: {change['old']!r} -> {change['new']!r}")
    if not entries:
        print("No recorded changes.")
    for problem in reading.problems:
        print(f"audit log {problem}", file=sys.stderr)
    return 5 if reading.problems else 0


def cmd_rollback(args: argparse.Namespace, kb: KnowledgeBase) -> int:
    audit = AuditLog.for_kb(args.dir)
    entry = audit.rollback(args.dir, args.procedure_id, args.version, by=args.by, reason=args.reason)
    print(f"{entry.procedure_id}: restored version {args.version} as version {entry.to_version}")
    return 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    """Exit 5 when a line is unreadable, the chain is broken, or the head noted earlier is gone."""
    audit = AuditLog.for_kb(args.dir)
    reading = audit.read()
    problems = [str(problem) for problem in reading.problems]
    if args.expect_head and reading.after(args.expect_head) is None:
        problems.append(f"no entry has sha256 {args.expect_head}: the log was cut or rewritten after it")
    for problem in problems:
        print(f"audit log {problem}", file=sys.stderr)
    if problems:
        print(f"Audit log broken: {len(problems)} problem(s).", file=sys.stderr)
        return 5
    count = len(reading.entries)
    print(f"OK: {count} entries in {audit.path}, chain intact; last entry sha256 {reading.head}")
    return 0


def cmd_import_national(args: argparse.Namespace) -> int:
    """Records in national/ of the KB directory; curated records and admins' edits win."""
    report = import_national(args.copy_dir, args.dir)
    summary = report.summary()
    print(summary, end="")
    if args.report:
        atomic_write(args.report, report.to_json().encode("utf-8"))
    if args.summary:
        atomic_write(args.summary, summary.encode("utf-8"))
    return 0


COMMANDS: Dict[str, Callable[[argparse.Namespace, KnowledgeBase], int]] = {
    "validate": cmd_validate,
    "search": cmd_search,
    "show": cmd_show,
    "import": cmd_import,
    "stale": cmd_stale,
    "unverified": cmd_unverified,
    "history": cmd_history,
    "rollback": cmd_rollback,
}
WITHOUT_KB: Dict[str, Callable[[argparse.Namespace], int]] = {  # load the KB themselves, or need none
    "export": cmd_export,
    "audit-verify": cmd_audit_verify,
    "import-national": cmd_import_national,
}


def main(argv: Optional[List[str]] = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command in WITHOUT_KB:
            return WITHOUT_KB[args.command](args)
        kb = KnowledgeBase.load(args.dir)
        return COMMANDS[args.command](args, kb)
    except InvalidKnowledgeBase as exc:
        print(exc, file=sys.stderr)
        return 1
    except AuditLogBroken as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 5
    except (UnknownVersion, NoChange, UnknownProcedure, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
