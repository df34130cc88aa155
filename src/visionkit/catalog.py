"""The capability catalog: capabilities, their maturity rubrics, prerequisites and efforts."""

from __future__ import annotations

import difflib
import functools
import graphlib
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from ._resources import CATALOG_SOURCE, catalog_text
from ._schema import CapabilitySpec
from .errors import EngagementError, PathPart, Problem

if TYPE_CHECKING:
    import pandas as pd

MAX_LEVEL = 5
_WORD = re.compile(r"\w+")
# Where a query word may be found in a capability, best first: its name, its id, its domain, its keywords.
_FIELDS = ("name", "id", "domain", "keywords")


@dataclass(frozen=True)
class Capability:
    """What the organisation must be able to do, with a level-by-level rubric and prerequisites."""

    id: str
    name: str
    domain: str
    description: str = ""
    rubric: Mapping[int, str] = field(default_factory=dict)
    requires: Mapping[str, int] = field(default_factory=dict)
    requires_at: Mapping[int, Mapping[str, int]] = field(default_factory=dict)
    effort: tuple[int, ...] = (2, 2, 2, 2, 2)  # effort to reach level 1..5 from the level below
    keywords: tuple[str, ...] = ()

    def prerequisites(self, level: int) -> dict[str, int]:
        """Capabilities (with minimum levels) this one needs in order to reach `level`."""
        if level <= 0:
            return {}
        needed = dict(self.requires)
        for gate, reqs in self.requires_at.items():
            if gate <= level:
                for cap, lvl in reqs.items():
                    if needed.get(cap, 0) < lvl:
                        needed[cap] = lvl
        return needed

    def prerequisite_ids(self) -> set[str]:
        """Every capability this one may require, at any level."""
        ids = set(self.requires)
        for reqs in self.requires_at.values():
            ids.update(reqs)
        return ids

    def effort_between(self, current: int, target: int) -> int:
        """Effort points to go from level `current` to level `target`."""
        return sum(self.effort[current:target])


def _effort_tuple(value: int | Mapping[int, int]) -> tuple[int, ...]:
    if isinstance(value, int):
        return (value,) * MAX_LEVEL
    # A level missing from a mapping costs what the nearest level below it costs.
    out: list[int] = []
    last = min(value.values()) if value else 0
    for level in range(1, MAX_LEVEL + 1):
        last = value.get(level, last)
        out.append(last)
    return tuple(out)


def capability_from_spec(spec: CapabilitySpec, base: Capability | None = None) -> Capability:
    """Build a capability from its spec, taking any field the spec leaves out from `base`."""
    if base is None:
        if spec.name is None or spec.domain is None or spec.effort_per_level is None:
            raise ValueError("a new capability needs name, domain and effort_per_level")
        base = Capability(id=spec.id, name=spec.name, domain=spec.domain)
    return Capability(
        id=spec.id,
        name=spec.name if spec.name is not None else base.name,
        domain=spec.domain if spec.domain is not None else base.domain,
        description=spec.description if spec.description is not None else base.description,
        rubric=dict(spec.rubric) if spec.rubric is not None else base.rubric,
        requires=dict(spec.requires) if spec.requires is not None else base.requires,
        requires_at=(
            {k: dict(v) for k, v in spec.requires_at.items()} if spec.requires_at is not None else base.requires_at
        ),
        effort=(_effort_tuple(spec.effort_per_level) if spec.effort_per_level is not None else base.effort),
        keywords=tuple(spec.keywords) if spec.keywords is not None else base.keywords,
    )


class Catalog(Mapping[str, Capability]):
    """An immutable set of capabilities forming an acyclic prerequisite graph."""

    def __init__(self, capabilities: Iterable[Capability], domains: Mapping[str, str] | None = None):
        self._caps: dict[str, Capability] = {c.id: c for c in capabilities}
        self.domains: dict[str, str] = dict(domains or {})
        for cap in self._caps.values():
            self.domains.setdefault(cap.domain, cap.domain.replace("-", " ").capitalize())
        self._closures: dict[tuple[str, int], dict[str, int]] = {}

    def __getitem__(self, key: str) -> Capability:
        return self._caps[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._caps)

    def __len__(self) -> int:
        return len(self._caps)

    def __repr__(self) -> str:
        return f"<Catalog: {len(self)} capabilities in {len(self.domains)} domains>"

    def domain_name(self, domain: str) -> str:
        """The display name of a domain."""
        return self.domains.get(domain, domain)

    def in_domain_order(self, ids: Iterable[str]) -> list[str]:
        """Capability ids by domain in the catalog's order, then by id; ids not in the catalog come last."""
        rank = {domain: i for i, domain in enumerate(self.domains)}
        last = len(rank)
        # An id typed into a widget may not exist yet; it is still shown, after the known ones.
        return sorted(ids, key=lambda c: (rank.get(self._caps[c].domain, last), c) if c in self._caps else (last, c))

    def suggest(self, unknown: str, count: int = 3, cutoff: float = 0.6) -> list[str]:
        """Known ids closest to an unknown one, best first; only the best when it stands out."""
        scored = []
        for cid in self._caps:
            matcher = difflib.SequenceMatcher(None, unknown, cid)
            if matcher.real_quick_ratio() >= cutoff and matcher.quick_ratio() >= cutoff:
                ratio = matcher.ratio()
                if ratio >= cutoff:
                    scored.append((-ratio, cid))
        scored.sort()
        if len(scored) > 1 and -scored[0][0] >= 0.9 and -scored[1][0] < 0.85:
            return [scored[0][1]]
        return [cid for _, cid in scored[:count]]

    def unknown_id_hint(self, unknown: str) -> str:
        """A hint for an id that is not in the catalog."""
        close = self.suggest(unknown)
        if close:
            return "did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
        return "add it under catalog.capabilities, or run `visionkit catalog` to list known ids"

    def search(self, query: str, limit: int = 8) -> list[Capability]:
        """Capabilities whose name, id, domain or keywords match every word of `query`, best first."""
        words = _WORD.findall(query.casefold())
        if not words or limit <= 0:
            return []
        whole = " ".join(words)
        ranked = []
        for cap in self._caps.values():
            score = 0
            for word in words:
                best = min(
                    (
                        2 * rank + (0 if word == known else 1)
                        for rank, field in enumerate(self._search_words[cap.id])
                        for known in field
                        if known.startswith(word)
                    ),
                    default=None,
                )
                if best is None:
                    break
                score += best
            else:
                # Ranking: a query that is the whole name or id first; then, summed over the query's
                # words, where each is found (name, id, domain, keywords, in that order) and whether
                # as a whole word (before a prefix of one); ties by name, then id.
                exact = whole in (" ".join(_WORD.findall(cap.name.casefold())), " ".join(_WORD.findall(cap.id)))
                ranked.append(((not exact, score, cap.name.casefold(), cap.id), cap))
        ranked.sort(key=lambda item: item[0])
        return [cap for _, cap in ranked[:limit]]

    @functools.cached_property
    def _search_words(self) -> dict[str, tuple[frozenset[str], ...]]:
        """Each capability's words in `_FIELDS` order, lowercased, as `search` matches them."""
        index: dict[str, tuple[frozenset[str], ...]] = {}
        for cap in self._caps.values():
            texts = {
                "name": [cap.name],
                "id": [cap.id],
                "domain": [cap.domain, self.domain_name(cap.domain)],
                "keywords": list(cap.keywords),
            }
            index[cap.id] = tuple(
                frozenset(word for text in texts[field] for word in _WORD.findall(text.casefold())) for field in _FIELDS
            )
        return index

    def find_cycle(self) -> list[str] | None:
        """A prerequisite cycle as [a, b, ..., a], or None when the graph is acyclic."""
        graph = {cid: sorted(c.prerequisite_ids() & self._caps.keys()) for cid, c in self._caps.items()}
        try:
            graphlib.TopologicalSorter(graph).prepare()
        except graphlib.CycleError as exc:
            cycle: list[str] = list(exc.args[1])
            # CycleError lists each node before its prerequisite, reversed; show "needs" order.
            return list(reversed(cycle))
        return None

    def closure(self, needs: Mapping[str, int]) -> dict[str, int]:
        """The needs plus every prerequisite they pull in, at the highest level asked of each."""
        result: dict[str, int] = {}
        for cap, level in needs.items():
            for c, lvl in self._closure_of(cap, level).items():
                if result.get(c, 0) < lvl:
                    result[c] = lvl
        return result

    def _closure_of(self, cap: str, level: int) -> dict[str, int]:
        key = (cap, level)
        cached = self._closures.get(key)
        if cached is not None:
            return cached
        required = {cap: level}
        stack = [cap]
        # A worklist rather than recursion: generated catalogs can have very long chains.
        while stack:
            current = stack.pop()
            for pre, lvl in self._caps[current].prerequisites(required[current]).items():
                if required.get(pre, 0) < lvl:
                    required[pre] = lvl
                    stack.append(pre)
        self._closures[key] = required
        return required

    def with_overrides(self, specs: Sequence[CapabilitySpec], path: Sequence[PathPart] = ()) -> Catalog:
        """A new catalog with `specs` added or overriding these capabilities field by field (see `merge_entries`)."""
        merged = merge_entries(self, specs, path)
        if merged.problems:
            raise EngagementError(merged.problems)
        return merged.catalog

    def to_frame(self) -> pd.DataFrame:
        """The catalog as a table: one row per capability."""
        import pandas as pd

        rows = [
            {
                "id": c.id,
                "name": c.name,
                "domain": c.domain,
                "domain_name": self.domain_name(c.domain),
                "description": c.description,
                "requires": dict(c.requires),
                "requires_at": {k: dict(v) for k, v in c.requires_at.items()},
                "effort_per_level": list(c.effort),
                "keywords": list(c.keywords),
            }
            for c in self._caps.values()
        ]
        return pd.DataFrame(rows).set_index("id")


@dataclass(frozen=True)
class Merged:
    """A base catalog merged with capability entries, and what stood in the way."""

    catalog: Catalog
    problems: list[Problem]
    broken: set[str]
    """Ids of entries too broken to merge: known all the same, so that naming them is not reported again."""


def merge_entries(base: Catalog, entries: Iterable[object], path: Sequence[PathPart] = ()) -> Merged:
    """`base` with capability entries (specs, or mappings as written in a file) added or overriding field by field.

    The one merge of a catalog with its additions: an engagement's catalog, validation's and the shipped
    catalog's are all made here. An entry repeating an earlier entry's id, or new but lacking a name, a
    domain or an effort, is a problem; an entry that fails the schema is skipped, as the schema reports it.
    """
    caps = dict(base)
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    broken: set[str] = set()
    for index, item in enumerate(entries):
        where: tuple[PathPart, ...] = (*path, index)
        cid = item.id if isinstance(item, CapabilitySpec) else item.get("id") if isinstance(item, Mapping) else None
        if isinstance(cid, str):
            if cid in seen:
                problems.append(
                    Problem(
                        f"duplicate capability id '{cid}' (also entry {seen[cid] + 1})",
                        (*where, "id"),
                        "merge the two entries, or give one of them another id",
                    )
                )
                continue
            seen[cid] = index
        try:
            spec = CapabilitySpec.model_validate(item)
        except ValidationError:
            if isinstance(cid, str):
                broken.add(cid)
            continue
        try:
            caps[spec.id] = capability_from_spec(spec, caps.get(spec.id))
        except ValueError:
            broken.add(spec.id)
            missing = [f for f in ("name", "domain", "effort_per_level") if getattr(spec, f) is None]
            close = base.suggest(spec.id, cutoff=0.8)
            problems.append(
                Problem(
                    f"new capability '{spec.id}' is missing {', '.join(missing)}",
                    where,
                    (f"to override a shipped capability, check the id: did you mean '{close[0]}'? " if close else "")
                    + "a capability that is not in the base catalog needs name, domain and effort_per_level",
                )
            )
    return Merged(Catalog(caps.values(), base.domains), problems, broken)


def base_catalog(extends: object) -> Catalog:
    """The catalog an engagement's `catalog.extends` starts from: the shipped one, or none (`none`, empty, false)."""
    return Catalog([]) if extends in ("none", None, False) else default_catalog()


def catalog_from_data(data: Any, source: str = "<catalog>") -> Catalog:
    """Build a full catalog from parsed catalog-file data (a `domains` map and `capabilities`)."""
    from pydantic import TypeAdapter

    from ._wording import problems_from_validation_error

    if not isinstance(data, dict):
        raise EngagementError([Problem("a catalog file must be a mapping", file=source)])
    try:
        specs = TypeAdapter(list[CapabilitySpec]).validate_python(data.get("capabilities") or [])
        domains = TypeAdapter(dict[str, str]).validate_python(data.get("domains") or {})
    except ValidationError as exc:
        raise EngagementError(problems_from_validation_error(exc, ("capabilities",))) from None
    return Catalog([], domains).with_overrides(specs, ("capabilities",))


@functools.cache
def default_catalog() -> Catalog:
    """The catalog shipped with visionkit."""
    return catalog_from_data(_load_trusted_yaml(catalog_text()), CATALOG_SOURCE)


def _load_trusted_yaml(text: str) -> Any:
    """Plain data from YAML that ships with visionkit: no positions are needed to report problems in it.

    libyaml's parser (through PyYAML, which papermill already needs) reads the catalog in about 0.02 s
    against 0.14 s for the pure-Python parser; that is start-up time of every kernel that plans.
    """
    try:
        import yaml

        loader = yaml.CSafeLoader
    except (ImportError, AttributeError):
        from ruamel.yaml import YAML

        return YAML(typ="safe", pure=True).load(text)
    return yaml.load(text, Loader=loader)
