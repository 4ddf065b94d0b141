"""Which groups of lanes are spread together: :func:`near_pairs` joins exactly the groups that a comparison
of every two segments would join, however many lanes a group has."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ivr_studio.flow.lane_groups import near_pairs

NEAR, TOUCH = 6.0 - 1e-6, 1.0


def partition(n: int, group: list[int], pairs) -> set[frozenset[int]]:
    """The groups after joining ``group``'s groups along ``pairs``."""
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for i in range(n):
        parent[find(i)] = find(group[i])
    for i, j in pairs:
        parent[find(i)] = find(j)
    out: dict[int, set[int]] = {}
    for i in range(n):
        out.setdefault(find(i), set()).add(i)
    return {frozenset(members) for members in out.values()}


def every_pair(spans, at, group, fresh):
    """Every two segments of different groups whose lanes are nearer than NEAR and whose stretches overlap
    by more than TOUCH (with ``fresh``, one of them in a fresh group)."""
    for i in range(len(spans)):
        for j in range(i + 1, len(spans)):
            if group[i] == group[j] or abs(at[i] - at[j]) >= NEAR:
                continue
            if fresh is not None and group[i] not in fresh and group[j] not in fresh:
                continue
            (a, _), (b, _) = spans[i], spans[j]
            if min(a[1], b[1]) - max(a[0], b[0]) > TOUCH:
                yield i, j


@st.composite
def corridors(draw):
    """Segments along a corridor with their lanes, in groups (some big, as a bundle's), sorted by their low
    ends as the lanes sort them."""
    n = draw(st.integers(1, 60))
    raw = []
    for k in range(n):
        low = draw(st.integers(0, 200))
        raw.append((float(low), float(low + draw(st.integers(0, 120))), k))
    raw.sort()
    spans = [((low, high, 0.0, 0, 0, low, high), (("a", str(k)), 1)) for low, high, k in raw]
    at = [draw(st.integers(0, 80)) / 2 for _ in range(n)]
    labels = draw(st.integers(1, 20))
    first: dict[int, int] = {}  # a group's key is its first member, as the lanes keep it
    group, groups = [], {}
    for i in range(n):
        key = first.setdefault(draw(st.integers(0, labels - 1)), i)
        groups.setdefault(key, []).append(i)
        group.append(key)
    fresh = draw(st.none() | st.sets(st.sampled_from(sorted(groups))))
    return spans, at, group, groups, fresh


@settings(max_examples=300, deadline=None, derandomize=True)
@given(corridors())
def test_joins_the_groups_a_comparison_of_every_two_segments_joins(case) -> None:
    spans, at, group, groups, fresh = case
    found = near_pairs(spans, at, group, groups, fresh, NEAR, TOUCH)
    for i, j in found:  # each pair it gives is a near pair of two groups
        assert group[i] != group[j] and abs(at[i] - at[j]) < NEAR
        assert min(spans[i][0][1], spans[j][0][1]) - max(spans[i][0][0], spans[j][0][0]) > TOUCH
    expected = partition(len(spans), group, every_pair(spans, at, group, fresh))
    assert partition(len(spans), group, found) == expected


def test_a_bundle_and_a_lane_beside_it_are_joined_by_one_pair() -> None:
    """300 lanes 0.2 apart in one group and one segment 5 units past its last lane: one pair joins them;
    a segment 7 units past it stays apart."""
    n = 300
    spans = [((0.0, 100.0, 0.0, 0, 0, 0.0, 100.0), (("b", str(k)), 1)) for k in range(n + 2)]
    at = [k * 0.2 for k in range(n)] + [(n - 1) * 0.2 + 5, (n - 1) * 0.2 + 7 + 6]
    group = [0] * n + [n, n + 1]
    groups = {0: list(range(n)), n: [n], n + 1: [n + 1]}
    pairs = near_pairs(spans, at, group, groups, None, NEAR, TOUCH)
    assert len(pairs) == 1 and {group[pairs[0][0]], group[pairs[0][1]]} == {0, n}
