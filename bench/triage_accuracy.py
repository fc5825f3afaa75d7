"""Accuracy of channels_inbox.triage on the labelled set
(tests/channels_inbox/triage_set.jsonl): per field, per language, the
confusions, and the last line as JSON. Pure: needs no database.

    python bench/triage_accuracy.py [--show-errors]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from channels_inbox.triage import triage  # noqa: E402

FIELDS = ("language", "scenario", "priority")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--set", default=str(ROOT / "tests/channels_inbox/triage_set.jsonl"))
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()
    cases = [json.loads(line) for line in Path(args.set).read_text().splitlines() if line.strip()]
    right = Counter()
    by_language = defaultdict(Counter)
    confusions = {field: Counter() for field in FIELDS}
    errors = []
    started = time.perf_counter()
    for case in cases:
        got = triage(case["text"], received_at=datetime.fromisoformat(case["received_at"]))
        for field in FIELDS:
            ok = getattr(got, field) == case[field]
            right[field] += ok
            by_language[case["language"]][field] += ok
            if not ok:
                confusions[field][(case[field], getattr(got, field))] += 1
                errors.append((field, case[field], getattr(got, field), case["text"]))
    elapsed = time.perf_counter() - started
    n = len(cases)
    print(f"{n} labelled messages, {elapsed / n * 1000:.2f} ms per message (incl. model loading)")
    for field in FIELDS:
        print(f"  {field:<9} {right[field] / n:6.1%}")
    print("per language (language / scenario / priority):")
    sizes = Counter(case["language"] for case in cases)
    for language, counts in sorted(by_language.items()):
        size = sizes[language]
        print(f"  {language:<6} n={size:<4} " + " / ".join(
            f"{counts[f] / size:6.1%}" for f in FIELDS))  # fmt: skip
    for field in FIELDS:
        if confusions[field]:
            top = ", ".join(f"{a}→{b} ×{k}" for (a, b), k in confusions[field].most_common(6))
            print(f"  confused {field}: {top}")
    if args.show_errors:
        for field, want, got, text in errors:
            print(f"  [{field}] want {want}, got {got}: {text}")
    print(json.dumps({"n": n, **{f: round(right[f] / n, 4) for f in FIELDS}}))


if __name__ == "__main__":
    main()
