"""Command line for admins and developers: `python -m procedures_kb validate | search | show`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import List, Optional

import yaml

from procedures_kb.errors import InvalidKnowledgeBase, UnknownProcedure
from procedures_kb.kb import KnowledgeBase
from procedures_kb.loader import DATA_DIR


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m procedures_kb", description=__doc__)
    parser.add_argument("--dir", type=Path, default=DATA_DIR, help="KB directory (default: %(default)s)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("validate", help="check every file; print all problems")
    search = commands.add_parser("search", help="which procedure does this text mean?")
    search.add_argument("query")
    search.add_argument("--limit", type=int, default=5)
    show = commands.add_parser("show", help="print one procedure record")
    show.add_argument("procedure_id")
    show.add_argument("--json", action="store_true", help="print JSON instead of YAML")
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    args = _parser().parse_args(argv)
    try:
        kb = KnowledgeBase.load(args.dir)
    except InvalidKnowledgeBase as exc:
        print(exc, file=sys.stderr)
        return 1

    if args.command == "validate":
        print(f"OK: {len(kb)} procedures in {args.dir}")
        return 0

    if args.command == "search":
        result = kb.search(args.query, limit=args.limit)
        match = result.match
        if match:
            print(f"match: {match.procedure_id} ({match.title}) score={match.score:.2f}")
        else:
            print(f"no match (threshold {result.threshold:.2f})")
        for hit in result.hits:
            print(f"  {hit.score:.2f}  {hit.procedure_id:<32} via {hit.matched_name!r}")
        return 0 if match else 3

    try:
        record = kb.get(args.procedure_id)
    except UnknownProcedure:
        print(f"no procedure with id {args.procedure_id!r}", file=sys.stderr)
        return 2
    data = json.loads(record.json(exclude_none=True))
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), end="")
    return 0
