"""Procedure knowledge base: schema, loader, search. Plain Python; no Rasa imports."""

from procedures_kb.errors import InvalidKnowledgeBase, KnowledgeBaseError, Problem, UnknownProcedure
from procedures_kb.kb import KnowledgeBase
from procedures_kb.schema import FactGroup, Procedure
from procedures_kb.search import Hit, SearchResult

__all__ = [
    "FactGroup",
    "Hit",
    "InvalidKnowledgeBase",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "Problem",
    "Procedure",
    "SearchResult",
    "UnknownProcedure",
]
