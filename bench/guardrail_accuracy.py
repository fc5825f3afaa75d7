"""Accuracy of consent.guardrails.scan_note on the labelled set
(tests/consent/guardrail_set.jsonl) and the held-out set that was written
before the rules were tuned and is never tuned on
(tests/consent/guardrail_holdout.jsonl): note level (blocked = any finding),
per category, per language, the misses and false alarms, and the last line
as JSON. Pure: needs no database.

    python bench/guardrail_accuracy.py [--show-errors] [--set PATH ...]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from consent.guardrails import CATEGORIES, scan_note  # noqa: E402

SETS = ("tests/consent/guardrail_set.jsonl", "tests/consent/guardrail_holdout.jsonl")


def ratio(a: int, b: int) -> float:
    return a / b if b else 1.0


def score(cases: list[dict]) -> dict:
    """Note-level and per-category counts; tests/consent/test_guardrails.py
    asserts its floors on the same numbers."""
    notes = Counter()
    categories = defaultdict(Counter)
    languages = defaultdict(Counter)
    errors = []
    for case in cases:
        found = {f.category for f in scan_note(case["text"])}
        want = set(case["categories"])
        blocked, should = bool(found), bool(want)
        kind = {(True, True): "tp", (True, False): "fp", (False, True): "fn"}.get(
            (blocked, should), "tn"
        )
        notes[kind] += 1
        languages[case["lang"]][kind] += 1
        for category in found | want:
            categories[category][
                "tp" if category in found and category in want else
                "fp" if category in found else "fn"
            ] += 1  # fmt: skip
        if found != want:
            errors.append((sorted(want), sorted(found), case["text"]))
    precision = ratio(notes["tp"], notes["tp"] + notes["fp"])
    recall = ratio(notes["tp"], notes["tp"] + notes["fn"])
    return {
        "n": len(cases),
        "precision": precision,
        "recall": recall,
        "f1": ratio(2 * precision * recall, precision + recall),
        "notes": notes,
        "categories": categories,
        "languages": languages,
        "errors": errors,
    }


def report(name: str, cases: list[dict], show_errors: bool) -> dict:
    started = time.perf_counter()
    result = score(cases)
    elapsed = time.perf_counter() - started
    n = result["n"]
    print(f"{name}: {n} labelled notes, {elapsed / n * 1000:.3f} ms per note")
    print(
        f"  notes     precision {result['precision']:6.1%}  recall {result['recall']:6.1%}"
        f"  F1 {result['f1']:6.1%}  ({dict(result['notes'])})"
    )
    print("  per category (precision / recall, support):")
    for category in CATEGORIES:
        counts = result["categories"].get(category)
        if not counts:
            continue
        p = ratio(counts["tp"], counts["tp"] + counts["fp"])
        r = ratio(counts["tp"], counts["tp"] + counts["fn"])
        print(f"    {category:<18} {p:6.1%} / {r:6.1%}  n={counts['tp'] + counts['fn']}")
    print("  per language (precision / recall):")
    for language, counts in sorted(result["languages"].items()):
        p = ratio(counts["tp"], counts["tp"] + counts["fp"])
        r = ratio(counts["tp"], counts["tp"] + counts["fn"])
        print(f"    {language:<6} n={sum(counts.values()):<4} {p:6.1%} / {r:6.1%}")
    if show_errors:
        for want, got, text in result["errors"]:
            kind = "miss" if not got else "false alarm" if not want else "wrong category"
            print(f"    [{kind}] want {want or '-'}, got {got or '-'}: {text}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--set", action="append", dest="sets", help="a JSONL set (repeatable)")
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()
    scan_note("warm up: compile the patterns")
    summary = {}
    for path in args.sets or [str(ROOT / s) for s in SETS]:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
        cases = [json.loads(line) for line in lines if line.strip()]
        result = report(Path(path).stem, cases, args.show_errors)
        summary[Path(path).stem] = {
            "n": result["n"],
            "precision": round(result["precision"], 4),
            "recall": round(result["recall"], 4),
            "f1": round(result["f1"], 4),
        }
    # Typical note: ~300 characters of ordinary hotel language.
    note = (
        "Misafir 3 gece kalacak, deniz manzaralı oda, geç çıkış 14:00, transfer TK 2412, "
        "2 yetişkin 2 çocuk (5 ve 8), ekstra yatak, bebek karyolası, fiyat 45.000 TL, "
        "tel 0532 123 45 67. Guest asked for a quiet room, late check-out approved, "
        "Zimmer mit Meerblick, поздний выезд подтвержден."
    )
    rounds = 2000
    started = time.perf_counter()
    for _ in range(rounds):
        scan_note(note)
    per_note = (time.perf_counter() - started) / rounds * 1000
    print(f"{per_note:.3f} ms per {len(note)}-character note (after the first call)")
    first = summary[next(iter(summary))]
    print(json.dumps({**first, "ms_per_note": round(per_note, 4), "sets": summary}))


if __name__ == "__main__":
    main()
