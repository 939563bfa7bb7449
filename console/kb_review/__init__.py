"""Review of changes to the knowledge base: drafts, the two-person rule, publishing through the
KB's audit log, rebase of a draft on a moved record, rollback drafts, spreadsheet drafts and
reviewed NLU examples. `service.KbReview` is the entry point; `console.web.kb_review_views` its pages."""
