"""Errors raised by the knowledge base package."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, List, Mapping


class KnowledgeBaseError(Exception):
    """Base class for every error of this package."""


@dataclass(frozen=True)
class Problem:
    """One problem found in the KB: which file, which field, what is wrong.

    `message` is said for its reader (English from the loader, Vietnamese from the spreadsheet
    importer); `code` and `params` say the same for a program (see `problems.Code`). Problems
    compare by file, location and message.
    """

    file: str
    location: str
    message: str
    code: str = field(default="", compare=False)
    params: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def __str__(self) -> str:
        where = f"{self.file}: {self.location}" if self.location else self.file
        return f"{where}: {self.message}"


class InvalidKnowledgeBase(KnowledgeBaseError):
    """The KB has problems; nothing of it was loaded. Carries every problem found."""

    def __init__(self, problems: List[Problem]):
        self.problems = list(problems)
        lines = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in the knowledge base:\n{lines}")


class UnknownProcedure(KnowledgeBaseError):
    """No procedure has this id."""


class StaleWorkbook(InvalidKnowledgeBase):
    """A spreadsheet exported before changes it would overwrite; nothing of it was imported."""

    def __init__(self, workbook: str, exported_at: str, problems: List[Problem]):
        self.workbook, self.exported_at = workbook, exported_at
        super().__init__(problems)
        lines = "\n".join(f"  - {problem}" for problem in self.problems)
        self.args = (
            f"Không nhập gì: tệp {workbook} được xuất lúc {exported_at}; từ đó {len(self.problems)} thủ tục "
            f"đã thay đổi trong kho, xung đột với tệp:\n{lines}\n"
            "Không thay đổi nào trong tệp được nhập: hãy xuất lại tệp mới rồi sửa lại các thủ tục trên.",
        )


class ConcurrentChange(KnowledgeBaseError):
    """A procedure changed between the moment a change was planned and the moment it was applied."""

    def __init__(self, procedure_ids: List[str]):
        self.procedure_ids = list(procedure_ids)
        super().__init__(f"changed by someone else meanwhile: {', '.join(self.procedure_ids)}")


class AuditLogBroken(KnowledgeBaseError):
    """The audit log or a saved version fails its hash check; nothing was restored."""
