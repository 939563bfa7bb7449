"""Fit the search's confidence model (`procedures_kb/search_confidence.py`) on the development sets.

    .venv/bin/python -m bench.fit_confidence            # cross-validated report, then fit and write
    .venv/bin/python -m bench.fit_confidence --check    # the report only

Every question of the training sets gives one row per candidate (`SearchIndex.candidates`), labelled
1 for the procedure it means; the unrelated messages give rows labelled 0. Gradient-boosted trees
(scikit-learn, installed with Rasa; needed here only, never at run time) are fitted on them and
written as plain arrays, with the thresholds below, to `procedures_kb/search_confidence.json`.

The report fits once per national training set with that set left out, and measures it: the figure
to expect on questions nobody tuned on. The blind sets (`search_national_heldout3.yml`, 4, 5
and 6) are never fitted on.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import itertools
import json
import math
import sys
from collections import Counter
from typing import Any, Dict, FrozenSet, List, Optional, Sequence, Tuple

from bench.kb_search import expected_ids, load_set, query_text
from procedures_kb import KnowledgeBase
from procedures_kb.loader import DATA_DIR
from procedures_kb.search import stated_age
from procedures_kb.search_confidence import FEATURES, MODEL_PATH, Candidate, Model, Tree, decide, renewals_asked
from procedures_kb.search_match import query_pairs
from procedures_kb.search_recall import names_nothing
from procedures_kb.search_result import SearchResult

NATIONAL = (*(f"national_dev{n}" for n in ("", 2, 3, 4, 5, 6)), "national_heldout")
TRAINING = (*NATIONAL, "queries", "heldout")
CHECKED = ("heldout2", "situations")  # curated questions, measured, not fitted on
# The thresholds, chosen on the cross-validated report: an imported record is answered only when
# the model is sure (a wrong answer sends a citizen to the counter with the wrong papers); an
# editor's record, whose aliases citizens type, at less. On 2026-12-06, the five national sets each
# left out, pooled: keep imported at 0.7 and answer at 0.8 gave 86.4 % answered right and 4.3 %
# wrong; 0.8 and 0.85, 84.2 % and 3.7 %; 0.8 and 0.9, 82.7 % and 3.0 %. A wrong answer costs a
# citizen more than a question with buttons: the last.
KEEP_CURATED = 0.1
KEEP_IMPORTED = 0.8
OVERRULE = -0.15
ANSWER = 0.9
SUGGEST = 0.01
SUGGEST_NEAR = 0.05  # and at least this share of the first one's probability
# An imported record is not answered while a second candidate reaches this share of its probability
# (the issue: "ask with buttons when two stay close"). Pooled over the national sets left out:
# 82.8 % answered right / 3.0 % wrong without it, 82.0 % / 2.6 % with it.
CLOSE = 0.5
# A first candidate alone (no other at ALONE of its probability) is answered from ANSWER_ALONE:
# pooled as above, 82.0 % / 2.7 % without, 85.3 % / 2.9 % with (0.7 and 0.1; 0.8 and 0.1 gave
# 84.1 % / 2.9 %, 0.7 and 0.2 85.8 % / 3.1 %).
ANSWER_ALONE = 0.7
ALONE = 0.1
# The trees: few and shallow (the training sets hold ~2,300 questions).
TREES = 100
DEPTH = 3
RATE = 0.1
SUBSAMPLE = 0.8
# A leaf holds at least this many candidates: a leaf of a few, all of one label, gets an extreme
# value, and a rare candidate falling in it a probability of 1 it has not earned.
MIN_LEAF = 20

# Per question: (set name, expected ids, candidates, the name search's result, the renewals it types).
Rows = List[Tuple[str, set, List[Candidate], SearchResult, FrozenSet[Tuple[str, ...]], Optional[int]]]


def rows_of(kb: KnowledgeBase, names: Sequence[str]) -> Dict[str, Rows]:
    index = kb._index  # the fitting reads the candidates the search weighs

    def row(
        name: str, expected: set, text: str
    ) -> Tuple[str, set, List[Candidate], SearchResult, FrozenSet, Optional[int]]:
        named, found = index.candidates(text)
        pairs = query_pairs(text)
        if names_nothing(pairs):
            found = []  # the search weighs nothing: the citizen is asked, with the popular procedures
        return name, expected, found, named, renewals_asked(text), stated_age(text, pairs)

    out: Dict[str, Rows] = {}
    for name in names:
        data = load_set(f"search_{name}.yml")
        rows: Rows = [row(name, expected_ids(kb, item), item["q"]) for item in data["queries"]]
        rows += [row(name, set(), query_text(item)) for item in data.get("no_match", [])]
        out[name] = rows
    return out


def fit(rows: Rows) -> Any:
    import numpy as np
    from sklearn.ensemble import GradientBoostingClassifier

    x = [c.features for _, _, found, *_ in rows for c in found]
    y = [int(c.procedure_id in expected) for _, expected, found, *_ in rows for c in found]
    return GradientBoostingClassifier(
        n_estimators=TREES,
        max_depth=DEPTH,
        learning_rate=RATE,
        subsample=SUBSAMPLE,
        min_samples_leaf=MIN_LEAF,
        random_state=0,
    ).fit(np.array(x), np.array(y))


def exported(fitted: Any) -> Model:
    """The fitted trees as `search_confidence.Model` reads them (and the same probabilities)."""
    trees = []
    for estimator in fitted.estimators_[:, 0]:
        tree = estimator.tree_
        trees.append(
            Tree(tree.feature.astype("int64"), tree.threshold.copy(), tree.children_left.astype("int64"),
                 tree.children_right.astype("int64"), tree.value[:, 0, 0].copy())
        )  # fmt: skip
    share = float(fitted.init_.class_prior_[1])  # the log-odds the trees start from
    prior = math.log(share / (1 - share))
    thresholds = (KEEP_CURATED, KEEP_IMPORTED, OVERRULE, ANSWER, SUGGEST, SUGGEST_NEAR, CLOSE, ANSWER_ALONE, ALONE)
    return Model(prior, RATE, tuple(trees), *thresholds)


def outcomes(rows: Rows, model: Model, index: Any) -> Counter[str]:
    """What the search does with each question (`decide`, as at run time), counted."""
    out: Counter[str] = Counter()
    for _, expected, found, named, renewals, age in rows:
        result = decide(
            named,
            found,
            model,
            index._titles,
            index._profiles,
            max(len(found), 1),
            index._title_tokens,
            renewals,
            index._ages,
            age,
        )
        if not result.hits:
            out["asked" if expected else "no_match"] += 1
            continue
        first = result.hits[0].procedure_id
        offered = [hit.procedure_id for hit in result.hits[:4] if hit.score >= result.suggest_floor]
        out["first_right"] += first in expected
        out["in_top4"] += any(hit.procedure_id in expected for hit in result.hits[:4])
        out["in_candidates"] += any(hit.procedure_id in expected for hit in result.hits)
        if not expected:
            out["matched_unrelated" if result.confident else "no_match"] += 1
            out["unrelated_offered"] += 0 if result.confident else len(offered)
        elif result.confident:
            out["top1" if first in expected else "wrong"] += 1
        else:
            out["asked"] += 1
            out["asked_offered"] += any(pid in expected for pid in offered)
            out["asked_buttons"] += len(offered)
    return out


def line(name: str, out: Counter[str]) -> str:
    n = out["top1"] + out["asked"] + out["wrong"]
    unrelated = out["no_match"] + out["matched_unrelated"]
    return (
        f"  {name:<20} top-1 {100 * out['top1'] / n:5.1f} %   asked {100 * out['asked'] / n:5.1f} %"
        f" (the right one among the buttons {100 * out['asked_offered'] / max(out['asked'], 1):5.1f} %)"
        f"   wrong {100 * out['wrong'] / n:5.1f} %   unrelated unmatched {out['no_match']}/{unrelated}"
        f" (buttons: {out['asked_buttons'] / max(out['asked'], 1):.1f} asked,"
        f" {out['unrelated_offered'] / max(unrelated, 1):.1f} unrelated)"
        f"\n  {'':<20} ranked first {100 * out['first_right'] / n:5.1f} %, among the first four"
        f" {100 * out['in_top4'] / n:5.1f} %, among the candidates {100 * out['in_candidates'] / n:5.1f} %"
    )


def main(argv: Sequence[str] = ()) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true", help="the report only; write nothing")
    parser.add_argument("--grid", action="store_true", help="the report for other thresholds; write nothing")
    parser.add_argument("--no-report", action="store_true", help="fit and write the model only (make does)")
    args = parser.parse_args(argv or None)
    kb = KnowledgeBase.load()  # the candidates come from the name search and the recall, not the model
    rows = rows_of(kb, TRAINING + CHECKED)
    if not args.no_report:
        print("Left out in turn (fitted on the other training sets, measured on the one left out):")
    pooled: Counter[str] = Counter()
    for left_out in () if args.no_report else NATIONAL:
        model = exported(fit([r for name in TRAINING if name != left_out for r in rows[name]]))
        counted = outcomes(rows[left_out], model, kb._index)
        pooled.update(counted)
        print(line(left_out, counted))
    if pooled:
        print(line("pooled", pooled))
    fitted = fit([r for name in TRAINING for r in rows[name]])
    model = exported(fitted)
    check = [c.features for name in TRAINING for _, _, found, *_ in rows[name][:50] for c in found]
    ours, theirs = model.probabilities(check), fitted.predict_proba(check)[:, 1]
    if max(abs(a - b) for a, b in zip(ours, theirs, strict=True)) > 1e-9:
        raise SystemExit("the exported trees do not give scikit-learn's probabilities")
    if not args.no_report:
        print("Fitted on all training sets:")
    for name in () if args.no_report else TRAINING + CHECKED:
        print(line(name + ("" if name in TRAINING else " (not fitted on)"), outcomes(rows[name], model, kb._index)))
    if args.grid:
        names = ("keep_imported", "answer", "answer_alone", "close")
        for values in itertools.product((0.7, 0.8, 0.85), (0.85, 0.9, 0.95), (0.6, 0.7, 0.8), (0.3, 0.5, 0.7)):
            print(", ".join(f"{key} {value}" for key, value in zip(names, values, strict=True)) + ":")
            thresholds: Dict[str, Any] = dict(zip(names, values, strict=True))
            policy = dataclasses.replace(model, **thresholds)
            for name in TRAINING + CHECKED:
                print(line(name, outcomes(rows[name], policy, kb._index)))
    if args.check or args.grid:
        return 0
    written: Dict[str, Any] = {
        "about": "Weights of procedures_kb/search_confidence.py, written by bench/fit_confidence.py",
        "fitted": dt.date.today().isoformat(),
        "training_sets": [f"tests/procedures_kb/search_{name}.yml" for name in TRAINING],
        "features": list(FEATURES),
        "prior": model.prior,
        "rate": model.rate,
        "trees": [
            {
                "feature": tree.feature.tolist(),
                "threshold": tree.threshold.tolist(),
                "left": tree.left.tolist(),
                "right": tree.right.tolist(),
                "value": tree.value.tolist(),
            }
            for tree in model.trees
        ],
        "keep_curated": KEEP_CURATED,
        "keep_imported": KEEP_IMPORTED,
        "overrule": OVERRULE,
        "answer": ANSWER,
        "suggest": SUGGEST,
        "suggest_near": SUGGEST_NEAR,
        "close": CLOSE,
        "answer_alone": ANSWER_ALONE,
        "alone": ALONE,
    }
    # One line per tree: the file stays readable and its diffs short.
    trees = ",\n    ".join(json.dumps(tree, separators=(",", ":")) for tree in written.pop("trees"))
    text = json.dumps(written, ensure_ascii=False, indent=2)
    MODEL_PATH.write_text(text[:-2] + f',\n  "trees": [\n    {trees}\n  ]\n}}\n', encoding="utf-8")
    print(f"written {MODEL_PATH.relative_to(DATA_DIR.parent.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
