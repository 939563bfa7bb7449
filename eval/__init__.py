"""Evaluation, not tests: `make eval` (answer quality against a vanilla Rasa baseline) and
`make eval-pipelines` (the NLU pipeline comparison of docs/nlu.md), with their data: the held-out
NLU sets (nlu/), the end-to-end cases, the compared pipeline configs and their optional components."""
