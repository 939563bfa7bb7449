"""Errors of the KB review service. Each message is Vietnamese and safe to show to the person who
caused it (the pages print `str(error)`)."""

from __future__ import annotations

from typing import Any, List, Optional, Tuple

from console.errors import ConsoleError
from console.kb_review import messages as msg
from procedures_kb.errors import Problem


class KbReviewError(ConsoleError):
    """Base class of the errors of this package."""


class InvalidDraft(KbReviewError):
    """The draft would not load, or would break the KB as a whole; `problems` say where, in Vietnamese."""

    def __init__(self, problems: List[Problem]):
        self.problems = list(problems)
        super().__init__(msg.INVALID_DRAFT.format(count=len(self.problems)))


class UnknownDraft(KbReviewError):
    """No draft has this id."""

    def __init__(self, draft_id: int):
        self.draft_id = draft_id
        super().__init__(msg.UNKNOWN_DRAFT.format(id=draft_id))


class SelfReview(KbReviewError):
    """The author of a draft tried to approve (or reject) it: another person must."""

    def __init__(self) -> None:
        super().__init__(msg.SELF_REVIEW)


class NeedsRebase(KbReviewError):
    """The live record changed since the draft was made: the draft must be rebased first."""

    def __init__(self, procedure_id: Optional[str]):
        self.procedure_id = procedure_id
        super().__init__(msg.NEEDS_REBASE)


class ProvinceMoved(NeedsRebase):
    """The province file changed since the form was opened: the author opens the form again (a
    province draft is not rebased). `override` is what the file holds now for the procedure (YAML)."""

    def __init__(self, label: str, override: str):
        self.label, self.override = label, override
        KbReviewError.__init__(self, msg.PROVINCE_MOVED.format(file=label))


class NotAllowed(KbReviewError):
    """The draft is not in a state for this, or the person may not do it; the message says which."""


class ReasonRequired(KbReviewError):
    """A reason, a note or a comment is required here (and at most 500 characters)."""


class StaleWorkbook(KbReviewError):
    """A spreadsheet exported before changes it would undo; nothing was drafted."""

    def __init__(self, message: str, problems: List[Problem]):
        self.problems = list(problems)
        super().__init__(message)


Conflict = Tuple[str, Any, Any, Any]  # field, base value, live value, draft value
