"""How useful the workshop's capability suggestions are, on moments a consultant labelled by hand.

`python benchmarks/suggest_quality.py` suggests capabilities for every moment of
tests/corpus/suggest/moments.yaml (story and wow, as the mapper does) and compares the top 5 with the
capabilities the moment is labelled with. It prints precision@5 and recall@5, micro-averaged (hits over
all suggestions shown, hits over all labels) and as the mean over moments, overall and per sector.

Precision counts the suggestions actually shown: the mapper shows fewer than 5 when fewer capabilities
are worth suggesting, and a moment with no suggestion has no precision (it is left out of the mean
precision and counted in the table). Recall counts every label.

`--verbose` lists each moment's misses (labelled, not suggested) and false hits (suggested, not
labelled), with the reasons shown for each suggestion. `--module` and `--catalog` measure another
version of `_suggest.py` and of the catalog (e.g. copies taken before a change), so a change can be
compared with what it replaced. Nothing is asserted here: tests/unit/test_suggest_quality.py holds the
floor.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from visionkit.catalog import Catalog, catalog_from_data, default_catalog

MOMENTS = Path(__file__).resolve().parent.parent / "tests" / "corpus" / "suggest" / "moments.yaml"

Suggest = Callable[[Mapping[str, object], Catalog, int], list[Any]]


@dataclass
class Result:
    """One moment's suggestions against its labels."""

    id: str
    sector: str
    expected: list[str]
    suggested: list[str]
    reasons: dict[str, str]

    @property
    def hits(self) -> int:
        return len(set(self.suggested) & set(self.expected))


def load_moments(path: Path = MOMENTS) -> list[dict[str, Any]]:
    """The labelled moments."""
    return list(yaml.safe_load(path.read_text("utf-8"))["moments"])


def load_suggest(module: Path | None) -> Suggest:
    """`suggest_for_moment` of visionkit, or of another copy of `_suggest.py` loaded inside the package."""
    if module is None:
        from visionkit._suggest import suggest_for_moment

        return suggest_for_moment
    spec = importlib.util.spec_from_file_location("visionkit._suggest_measured", module)
    assert spec is not None and spec.loader is not None
    loaded = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = loaded  # dataclasses look their module up while the class is built
    spec.loader.exec_module(loaded)
    return loaded.suggest_for_moment  # type: ignore[no-any-return]


def load_catalog(path: Path | None) -> Catalog:
    """The shipped catalog, or another catalog file."""
    if path is None:
        return default_catalog()
    return catalog_from_data(yaml.safe_load(path.read_text("utf-8")), str(path))


def run(suggest: Suggest, catalog: Catalog, moments: list[dict[str, Any]], k: int = 5) -> list[Result]:
    """Each moment's top-k suggestions."""
    results = []
    for m in moments:
        found = suggest({"story": m.get("story"), "wow": m.get("wow")}, catalog, k)[:k]
        results.append(
            Result(
                m["id"],
                m.get("sector", ""),
                list(m["expect"]),
                [s.capability for s in found],
                {s.capability: s.why for s in found},
            )
        )
    return results


def scores(results: list[Result]) -> dict[str, float]:
    """Micro and per-moment mean precision and recall, and how many moments got no suggestion."""
    shown = sum(len(r.suggested) for r in results)
    labels = sum(len(r.expected) for r in results)
    hits = sum(r.hits for r in results)
    with_suggestions = [r for r in results if r.suggested]
    labelled = [r for r in results if r.expected]
    return {
        "moments": len(results),
        "micro_precision": hits / shown if shown else 0.0,
        "micro_recall": hits / labels if labels else 0.0,
        "mean_precision": sum(r.hits / len(r.suggested) for r in with_suggestions) / len(with_suggestions)
        if with_suggestions
        else 0.0,
        "mean_recall": sum(r.hits / len(r.expected) for r in labelled) / len(labelled) if labelled else 0.0,
        "shown": shown,
        "no_suggestion": len(results) - len(with_suggestions),
    }


def table(results: list[Result], k: int) -> str:
    """The figures overall and per sector, as a text table."""
    groups: dict[str, list[Result]] = {"all": results}
    for r in results:
        groups.setdefault(r.sector, []).append(r)
    head = (
        f"{'sector':<16}{'moments':>8}{'shown':>7}{'none':>6}"
        f"{f'P@{k} micro':>12}{f'R@{k} micro':>12}{f'P@{k} mean':>11}{f'R@{k} mean':>11}"
    )
    lines = [head, "-" * len(head)]
    for name, group in groups.items():
        s = scores(group)
        lines.append(
            f"{name:<16}{s['moments']:>8}{s['shown']:>7}{s['no_suggestion']:>6}"
            f"{s['micro_precision']:>12.2f}{s['micro_recall']:>12.2f}{s['mean_precision']:>11.2f}{s['mean_recall']:>11.2f}"
        )
    return "\n".join(lines)


def details(results: list[Result]) -> str:
    """Each moment's misses and false hits, with the reasons of each suggestion."""
    lines = []
    for r in results:
        missed = [c for c in r.expected if c not in r.suggested]
        false = [c for c in r.suggested if c not in r.expected]
        mark = "ok" if not missed and not false else f"{r.hits}/{len(r.expected)}"
        lines.append(f"{r.id} [{mark}]")
        for c in r.suggested:
            lines.append(f"  {'+' if c in r.expected else '-'} {c}: {r.reasons[c]}")
        if missed:
            lines.append(f"  missed: {', '.join(missed)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", "-v", action="store_true", help="list each moment's misses and false hits")
    parser.add_argument("--module", type=Path, help="measure this copy of _suggest.py instead of visionkit's")
    parser.add_argument("--catalog", type=Path, help="use this catalog file instead of the shipped one")
    parser.add_argument("--moments", type=Path, default=MOMENTS, help="the labelled moments (YAML)")
    parser.add_argument("-k", type=int, default=5, help="how many suggestions count (default 5, as the mapper)")
    args = parser.parse_args(argv)
    moments = load_moments(args.moments)
    results = run(load_suggest(args.module), load_catalog(args.catalog), moments, args.k)
    labels = sum(len(m["expect"]) for m in moments)
    print(f"{len(moments)} moments, {labels} labels, top {args.k} suggestions")
    print(table(results, args.k))
    if args.verbose:
        print()
        print(details(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
