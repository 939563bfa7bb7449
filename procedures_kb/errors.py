"""Errors raised by the knowledge base package."""

from __future__ import annotations

from dataclasses import dataclass
from typing import List


class KnowledgeBaseError(Exception):
    """Base class for every error of this package."""


@dataclass(frozen=True)
class Problem:
    """One problem found in the KB: which file, which field, what is wrong."""

    file: str
    location: str
    message: str

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
