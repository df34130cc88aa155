"""The shipped catalog: complete, acyclic, and sensible enough to plan with."""

from __future__ import annotations

import itertools
import re

import pytest

from visionkit.catalog import Capability, Catalog, default_catalog
from visionkit.errors import EngagementError


def test_default_catalog_is_broad_and_complete() -> None:
    catalog = default_catalog()
    assert len(catalog) >= 40
    domains: dict[str, int] = {}
    for cap in catalog.values():
        domains[cap.domain] = domains.get(cap.domain, 0) + 1
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", cap.id)
        assert cap.name and cap.description.count(".") >= 1
        assert sorted(cap.rubric) == [1, 2, 3, 4, 5]
        assert all(sentence.strip() for sentence in cap.rubric.values())
        assert all(e >= 0 for e in cap.effort) and len(cap.effort) == 5
        assert 3 <= len(cap.keywords) <= 8
        for pre in cap.prerequisite_ids():
            assert pre in catalog, f"{cap.id} requires unknown {pre}"
    assert len(domains) >= 7
    assert all(count >= 4 for count in domains.values())
    assert catalog.find_cycle() is None


def test_prerequisites_read_like_the_field() -> None:
    catalog = default_catalog()
    assert "customer-360" in catalog["next-best-action"].prerequisites(1)
    assert "identity-resolution" in catalog["customer-360"].prerequisites(5)
    assert "store-associate-app" in catalog["clienteling"].prerequisite_ids()
    assert "order-orchestration" in catalog["last-mile-delivery"].prerequisite_ids()
    assert catalog["data-quality-management"].prerequisite_ids() == set()


def test_closure_takes_the_highest_level_asked() -> None:
    catalog = Catalog(
        [
            Capability("a", "A", "d"),
            Capability("b", "B", "d", requires={"a": 1}, requires_at={3: {"a": 3}}),
            Capability("c", "C", "d", requires={"b": 3, "a": 2}),
        ]
    )
    assert catalog.closure({"c": 1}) == {"c": 1, "b": 3, "a": 3}
    assert catalog.closure({"b": 2}) == {"b": 2, "a": 1}
    assert catalog["b"].prerequisites(0) == {}


def test_capabilities_in_domain_order() -> None:
    catalog = Catalog(
        [Capability("b", "B", "first"), Capability("a", "A", "second"), Capability("c", "C", "first")],
        {"first": "First", "second": "Second"},
    )
    assert catalog.in_domain_order({"a", "b", "c"}) == ["b", "c", "a"]
    assert catalog.in_domain_order(["typo", "a", "c"]) == ["c", "a", "typo"]  # unknown ids come last


def test_cycle_is_reported_in_needs_order() -> None:
    catalog = Catalog(
        [
            Capability("a", "A", "d", requires={"b": 1}),
            Capability("b", "B", "d", requires={"c": 1}),
            Capability("c", "C", "d", requires={"a": 1}),
        ]
    )
    cycle = catalog.find_cycle()
    assert cycle is not None and cycle[0] == cycle[-1] and len(cycle) == 4
    for here, there in itertools.pairwise(cycle):
        assert there in catalog[here].requires


def test_effort_between_levels_and_suggestions() -> None:
    cap = default_catalog()["customer-360"]
    assert cap.effort_between(1, 3) == cap.effort[1] + cap.effort[2]
    assert cap.effort_between(3, 3) == 0
    assert default_catalog().suggest("customer360") == ["customer-360"]
    assert default_catalog().suggest("zzzz") == []


def test_new_capability_without_name_is_refused() -> None:
    from visionkit.model import CapabilitySpec

    with pytest.raises(EngagementError, match="new capability 'fresh' is missing name, domain, effort_per_level"):
        default_catalog().with_overrides([CapabilitySpec(id="fresh")])


def test_the_fast_loader_reads_the_shipped_catalog_as_ruamel_does() -> None:
    # libyaml follows YAML 1.1 (yes/no booleans, 11:20 as a number); the catalog must mean the same either way.
    from ruamel.yaml import YAML

    from visionkit._resources import catalog_text
    from visionkit.catalog import _load_trusted_yaml

    text = catalog_text()
    assert _load_trusted_yaml(text) == YAML(typ="safe", pure=True).load(text)


ONE_DAY = [{"id": "day", "title": "Day", "moments": [{"story": "Something happens.", "needs": {"x": 1}}]}]


def test_an_engagement_merges_its_catalog_as_validation_does() -> None:
    # One merge: an engagement built without validation refuses what validation refuses, in the same words.
    from visionkit.model import Engagement
    from visionkit.validation import validate_engagement

    entries = [{"id": "x", "name": "X", "domain": "d", "effort_per_level": 1}, {"id": "x", "name": "Y"}]
    data = {"client": "C", "catalog": {"capabilities": entries}, "perfect_days": ONE_DAY}
    with pytest.raises(EngagementError) as validated:
        validate_engagement(data)
    with pytest.raises(EngagementError) as merged:
        _ = Engagement.model_validate(data).capabilities
    assert [str(p) for p in merged.value.problems] == [str(p) for p in validated.value.problems]
    assert "duplicate capability id 'x' (also entry 1)" in str(merged.value)


def test_a_validated_engagement_plans_against_the_catalog_it_was_checked_with() -> None:
    from visionkit.validation import validate_engagement

    base = Catalog([Capability("x", "X", "d")])
    engagement = validate_engagement({"client": "C", "perfect_days": ONE_DAY}, base=base)
    assert list(engagement.capabilities) == ["x"]
