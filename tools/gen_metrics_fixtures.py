#!/usr/bin/env python3
"""Reference task metrics from scikit-learn and scipy, for tests/test_metrics.cpp
(include/frost/train/task_metrics.hpp).

    python3 -m pip install scikit-learn scipy      # if needed
    python3 tools/gen_metrics_fixtures.py [--out tests/fixtures/metrics]

Writes OUT/cases.json: {"generator": {...versions...}, "cases": [...]}, each case

    {"name", "kind": "classification" | "regression" | "multilabel", "inputs": {...}, "expected": {...}}

inputs:   classification  y_true, y_pred (class indices), num_labels, class_names (may be absent)
          regression      y_true, y_pred (floats)
          multilabel      y_true, y_pred (rows of 0/1), num_labels, label_names (may be absent)
expected: the metrics under HF Trainer's key names without the "eval_" prefix, exactly the keys
          frost::metrics_json(..., "") must write; NaN is written as null (as frost's JSON does).

Every expected number is scikit-learn's or scipy's output:
  classification  accuracy_score; precision_recall_fscore_support(labels=range(num_labels),
                  zero_division=0) per class and for average= macro, micro, weighted;
                  f1/precision/recall with average="binary", pos_label=1 when num_labels == 2;
                  matthews_corrcoef; confusion_matrix(labels=range(num_labels)) [true][pred];
                  classification_report(output_dict=True) per class ("f1-score" -> "f1").
  regression      mean_squared_error; scipy.stats.pearsonr, spearmanr (.statistic);
                  combined_score = (pearson + spearmanr) / 2 (HF run_glue, STS-B).
  multilabel      accuracy_score on the indicator matrices (subset accuracy);
                  precision_recall_fscore_support(zero_division=0) per label and for average=
                  micro, macro, weighted.

Deterministic: numpy default_rng with fixed seeds, sorted keys, Python's shortest round-trip float
repr. Two runs give byte-identical files.
"""

import argparse
import json
import math
import os
import warnings

import numpy as np
import scipy
import scipy.stats
import sklearn
from sklearn.metrics import (accuracy_score, classification_report, confusion_matrix, matthews_corrcoef,
                             mean_squared_error, precision_recall_fscore_support)


def num(x):
    """A float for JSON: NaN and infinities become null."""
    x = float(x)
    return x if math.isfinite(x) else None


def classification_case(name, y_true, y_pred, k, names=None):
    y_true = [int(v) for v in y_true]
    y_pred = [int(v) for v in y_pred]
    labels = list(range(k))
    target_names = names if names is not None else [f"LABEL_{i}" for i in labels]
    e = {"accuracy": num(accuracy_score(y_true, y_pred))}
    for avg in ("macro", "micro", "weighted"):
        p, r, f, _ = precision_recall_fscore_support(y_true, y_pred, labels=labels, average=avg, zero_division=0)
        e[f"precision_{avg}"], e[f"recall_{avg}"], e[f"f1_{avg}"] = num(p), num(r), num(f)
    if k == 2:
        p, r, f, _ = precision_recall_fscore_support(y_true, y_pred, average="binary", pos_label=1, zero_division=0)
        e["precision"], e["recall"], e["f1"] = num(p), num(r), num(f)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "A single label was found": MCC is then 0, the expected value
        e["matthews_correlation"] = num(matthews_corrcoef(y_true, y_pred))
    e["confusion_matrix"] = confusion_matrix(y_true, y_pred, labels=labels).tolist()
    rep = classification_report(y_true, y_pred, labels=labels, target_names=target_names, output_dict=True,
                                zero_division=0)
    e["classification_report"] = {
        n: {"precision": num(rep[n]["precision"]), "recall": num(rep[n]["recall"]), "f1": num(rep[n]["f1-score"]),
            "support": int(rep[n]["support"])}
        for n in target_names
    }
    inputs = {"y_true": y_true, "y_pred": y_pred, "num_labels": k}
    if names is not None:
        inputs["class_names"] = names
    return {"name": name, "kind": "classification", "inputs": inputs, "expected": e}


def regression_case(name, y_true, y_pred):
    y_true = [float(v) for v in y_true]
    y_pred = [float(v) for v in y_pred]
    with warnings.catch_warnings(), np.errstate(over="ignore"):
        warnings.simplefilter("ignore")  # ConstantInputWarning, overflow: NaN and inf are the expected values
        pearson = float(scipy.stats.pearsonr(y_true, y_pred).statistic)
        spearman = float(scipy.stats.spearmanr(y_true, y_pred).statistic)
        mse = mean_squared_error(y_true, y_pred)
    e = {
        "mse": num(mse),
        "pearson": num(pearson),
        "spearmanr": num(spearman),
        "combined_score": num((pearson + spearman) / 2),
    }
    return {"name": name, "kind": "regression", "inputs": {"y_true": y_true, "y_pred": y_pred}, "expected": e}


def multilabel_case(name, y_true, y_pred, names=None):
    y_true = np.asarray(y_true, dtype=int)
    y_pred = np.asarray(y_pred, dtype=int)
    k = y_true.shape[1]
    label_names = names if names is not None else [f"LABEL_{i}" for i in range(k)]
    e = {"accuracy": num(accuracy_score(y_true, y_pred))}
    for avg in ("macro", "micro", "weighted"):
        p, r, f, _ = precision_recall_fscore_support(y_true, y_pred, average=avg, zero_division=0)
        e[f"precision_{avg}"], e[f"recall_{avg}"], e[f"f1_{avg}"] = num(p), num(r), num(f)
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, average=None, zero_division=0)
    e["classification_report"] = {
        n: {"precision": num(p[j]), "recall": num(r[j]), "f1": num(f[j]), "support": int(s[j])}
        for j, n in enumerate(label_names)
    }
    inputs = {"y_true": y_true.tolist(), "y_pred": y_pred.tolist(), "num_labels": int(k)}
    if names is not None:
        inputs["label_names"] = names
    return {"name": name, "kind": "multilabel", "inputs": inputs, "expected": e}


def noisy_labels(rng, y_true, k, accuracy):
    """Predictions equal to y_true with probability `accuracy`, else a uniformly random class."""
    wrong = rng.random(len(y_true)) >= accuracy
    return np.where(wrong, rng.integers(0, k, len(y_true)), y_true)


def classification_cases():
    rng = np.random.default_rng(1301)
    cases = []
    y = rng.integers(0, 2, 60)
    cases.append(classification_case("binary", y, noisy_labels(rng, y, 2, 0.7), 2, ["not_equivalent", "equivalent"]))
    y = rng.choice(3, 90, p=[0.6, 0.3, 0.1])
    cases.append(classification_case("three_class_imbalanced", y, noisy_labels(rng, y, 3, 0.6), 3))
    y = rng.choice(5, 150, p=[0.45, 0.25, 0.15, 0.1, 0.05])
    cases.append(classification_case("five_class_imbalanced", y, noisy_labels(rng, y, 5, 0.5), 5,
                                     ["very_negative", "negative", "neutral", "positive", "very_positive"]))
    y = rng.integers(0, 4, 40)
    p = noisy_labels(rng, y, 4, 0.5)
    p[p == 2] = 3  # class 2 is never predicted: its precision is 0/0 -> 0
    cases.append(classification_case("class_never_predicted", y, p, 4))
    y = rng.integers(0, 3, 40)
    y[y == 1] = 0  # class 1 never in y_true: recall 0/0 -> 0, support 0
    p = noisy_labels(rng, y, 3, 0.5)
    cases.append(classification_case("class_absent_from_y_true", y, p, 3))
    y = rng.integers(0, 4, 30)
    y[y == 3] = 1  # class 3 in neither y_true nor y_pred: all 0, support 0
    cases.append(classification_case("class_absent_everywhere", y, noisy_labels(rng, y, 3, 0.6), 4))
    y = rng.integers(0, 3, 25)
    cases.append(classification_case("perfect", y, y.copy(), 3))
    y = rng.integers(0, 2, 20)
    cases.append(classification_case("perfect_binary", y, y.copy(), 2))
    cases.append(classification_case("all_one_class", [1] * 12, [1] * 12, 2))  # MCC denominator 0 -> 0
    cases.append(classification_case("all_true_one_class_preds_vary", [0] * 10, [0, 1, 0, 0, 1, 0, 0, 0, 1, 0], 2))
    cases.append(classification_case("all_predicted_one_class", [0, 1, 2, 1, 0, 2, 2, 1], [2] * 8, 3))
    cases.append(classification_case("all_wrong_binary", [0, 1, 0, 1, 1], [1, 0, 1, 0, 0], 2))  # MCC -1
    cases.append(classification_case("tiny_n1", [1], [0], 2))
    cases.append(classification_case("tiny_n2", [0, 2], [0, 1], 3))
    cases.append(classification_case("tiny_n3_binary", [1, 0, 1], [1, 1, 1], 2))
    return cases


def regression_cases():
    rng = np.random.default_rng(1302)
    cases = []
    y = rng.uniform(0, 5, 50)
    cases.append(regression_case("regression_no_ties", y, y + rng.normal(0, 0.8, 50)))
    y = rng.integers(0, 6, 60).astype(float)  # STS-B-like scores in steps: many ties in y_true
    p = np.round(y + rng.normal(0, 1.0, 60), 1)  # and some in y_pred
    p[:6] = 2.5
    cases.append(regression_case("regression_ties", y, p))
    y = rng.normal(0, 1, 30)
    cases.append(regression_case("regression_negative_correlation", y, -2 * y + rng.normal(0, 0.5, 30)))
    cases.append(regression_case("regression_constant_prediction", rng.uniform(0, 5, 10), [2.5] * 10))
    cases.append(regression_case("regression_constant_truth", [3.0] * 8, rng.uniform(0, 5, 8)))
    cases.append(regression_case("regression_both_constant", [1.0] * 5, [1.0] * 5))
    cases.append(regression_case("regression_n2", [0.5, 4.0], [1.0, 3.25]))
    cases.append(regression_case("regression_n3_ties", [1.0, 2.0, 2.0], [0.1, 0.3, 0.2]))
    # scipy's example of premature overflow: pearson must scale before the norm; mse overflows to inf (null)
    cases.append(regression_case("regression_huge_values", [-5e210, 5e210, 3e200, -3e200], [-1e210, 2e210, 1e200, 0.0]))
    cases.append(regression_case("regression_perfect", [0.0, 1.5, 3.0, 4.5], [0.0, 1.5, 3.0, 4.5]))
    return cases


def multilabel_cases():
    rng = np.random.default_rng(1303)
    cases = []
    y = (rng.random((40, 4)) < [0.5, 0.3, 0.15, 0.05]).astype(int)
    p = np.where(rng.random((40, 4)) < 0.8, y, 1 - y)
    cases.append(multilabel_case("multilabel_4", y, p, ["toxic", "obscene", "threat", "insult"]))
    y = (rng.random((25, 4)) < 0.4).astype(int)
    p = np.where(rng.random((25, 4)) < 0.75, y, 1 - y)
    y[:, 3] = 0  # label 3 never true
    p[:, 3] = 0  # nor predicted: 0/0 -> 0
    p[:, 1] = 0  # label 1 never predicted
    cases.append(multilabel_case("multilabel_4_zero_division", y, p))
    y = (rng.random((10, 4)) < 0.5).astype(int)
    cases.append(multilabel_case("multilabel_4_perfect", y, y.copy()))
    cases.append(multilabel_case("multilabel_4_no_positives", np.zeros((3, 4), int), np.zeros((3, 4), int)))
    return cases


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "metrics"))
    args = ap.parse_args()
    doc = {
        "generator": {
            "script": "tools/gen_metrics_fixtures.py",
            "numpy": np.__version__,
            "scikit-learn": sklearn.__version__,
            "scipy": scipy.__version__,
        },
        "cases": classification_cases() + regression_cases() + multilabel_cases(),
    }
    os.makedirs(args.out, exist_ok=True)
    path = os.path.normpath(os.path.join(args.out, "cases.json"))
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, sort_keys=True, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    print(f"{path}: {len(doc['cases'])} cases, {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
