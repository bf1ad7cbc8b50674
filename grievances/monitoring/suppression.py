"""Secondary suppression: a hidden small count must not be recoverable by subtraction.

Hiding a count below the minimum is not enough when its total and its
neighbours are shown: received 38, Payments 26, Other 11 give the hidden
sensitive row as 1. Every published figure that adds up to another (the
categories to the cases received, each category's months to its total, each
breakdown, with the sensitive row, to the cases received, a referral route's outcomes to the referrals made)
forms a group; whenever a group hides a small count, it also withholds one
figure at or above the minimum (the smallest shown part, or else the total),
repeating until no group changes. A withheld figure can be anything from 0 up,
so the small count it covers stays anywhere between 0 and the minimum.
"""

from __future__ import annotations

from grievances.monitoring.indicators import SENSITIVE_KEY

SUPPRESSED = "suppressed"  # below the minimum: "fewer than N"
WITHHELD = "withheld"  # at or above the minimum, hidden so that a small count cannot be worked out

Path = tuple


def _get(data: dict, path: Path):
    for step in path:
        data = data[step]
    return data


def _set(data: dict, path: Path, value) -> None:
    for step in path[:-1]:
        data = data[step]
    data[path[-1]] = value


def groups(data: dict) -> list[tuple[Path, list[Path]]]:
    """Every (total, parts) of the public figures whose parts add up to the total."""
    received, resolved = ("headline", "received"), ("headline", "resolved")
    categories = data["categories"]
    found = [(received, [("categories", i, "total") for i in range(len(categories))])]
    for i, category in enumerate(categories):
        found.append(
            (("categories", i, "total"), [("categories", i, "by_month", m) for m in range(len(category["by_month"]))])
        )
    # Breakdowns leave sensitive cases out, so with the sensitive row they add up to the cases received.
    sensitive = [("categories", i, "total") for i, c in enumerate(categories) if c["key"] == SENSITIVE_KEY]
    for key in ("channel", "region", "sex_gender"):
        found.append((received, [*sensitive, *((key, k) for k in data[key])]))
    found.append((resolved, [("decisions", k) for k in data["decisions"]]))
    found.append((received, [("agencies", i, "received") for i in range(len(data["agencies"]))]))
    found.append((resolved, [("agencies", i, "resolved") for i in range(len(data["agencies"]))]))
    for i, _route in enumerate(data["referrals"]):
        found.append((("referrals", i, "made"), [("referrals", i, key) for key in ("pending", "accepted", "returned")]))
    return found


def _protected(data: dict, total: Path, parts: list[Path], min_cell: int) -> bool:
    """Whether no hidden figure of this one sum can be pinned from its shown figures."""
    values = [_get(data, p) for p in parts]
    hidden = [v for v in values if v in (SUPPRESSED, WITHHELD)]
    if _get(data, total) in (SUPPRESSED, WITHHELD):
        # The total is hidden: with a hidden part beside it, neither can be worked out.
        return bool(hidden) or all(v is None for v in values)
    if not hidden:
        return True
    # What the hidden parts add up to, and the range each one is known to lie in.
    remainder = _get(data, total) - sum(v for v in values if isinstance(v, int))
    ranges = [(0, min_cell - 1) if v == SUPPRESSED else (min_cell, max(remainder, min_cell)) for v in hidden]
    low, high = sum(r[0] for r in ranges), sum(r[1] for r in ranges)
    for own_low, own_high in ranges:
        if min(own_high, remainder - (low - own_low)) <= max(own_low, remainder - (high - own_high)):
            return False
    return True


def _known_ranges(data: dict, sums: list[tuple[Path, list[Path]]], min_cell: int) -> dict[Path, list[int]]:
    """The range of every figure as a reader can narrow it, using all the sums together."""
    cells = {path for total, parts in sums for path in (total, *parts)}
    ceiling = min_cell + sum(v for v in (_get(data, p) for p in cells) if isinstance(v, int))
    known = {}
    for path in cells:
        v = _get(data, path)
        known[path] = [0, min_cell - 1] if v == SUPPRESSED else [min_cell, ceiling] if v == WITHHELD else [v, v]
    # Integer bounds only shrink, within the ceiling: this ends.
    moved = True
    while moved:
        moved = False
        for total, parts in sums:
            if not parts or any(known[p][0] is None for p in parts):
                continue
            low, high = sum(known[p][0] for p in parts), sum(known[p][1] for p in parts)
            t_low, t_high = known[total]
            narrowed = {total: [max(t_low, low), min(t_high, high)]}
            for p in parts:
                p_low, p_high = known[p]
                narrowed[p] = [max(p_low, t_low - (high - p_high)), min(p_high, t_high - (low - p_low))]
            for path, interval in narrowed.items():
                if interval != known[path] and interval[0] <= interval[1]:
                    known[path] = interval
                    moved = True
    return known


def _pinned(data: dict, sums: list[tuple[Path, list[Path]]], min_cell: int) -> Path | None:
    for path, (low, high) in _known_ranges(data, sums, min_cell).items():
        if low >= high and _get(data, path) in (SUPPRESSED, WITHHELD):
            return path
    return None


def protect(data: dict, min_cell: int, sums: list[tuple[Path, list[Path]]] | None = None) -> dict:
    """Withhold figures in ``data`` (anonymised figures, changed in place) until no small count can be derived.

    Each sum first gets a second hidden figure where it has only one (the
    smallest shown part, else the total); then the sums are read together,
    as someone working the figures out would, and wherever that still pins a
    hidden figure one more figure beside it is withheld. ``sums``: the
    (total, parts) paths of figures shaped otherwise than the statistics'
    (the themes' breakdowns); by default :func:`groups`.
    """
    sums = [
        (total, [p for p in parts if _get(data, p) is not None])
        for total, parts in (groups(data) if sums is None else sums)
    ]
    sums = [(total, parts) for total, parts in sums if _get(data, total) is not None]
    while True:
        changed = True
        while changed:
            changed = False
            for total, parts in sums:
                if not _protected(data, total, parts, min_cell):
                    _withhold_beside(data, total, parts)
                    changed = True
        pinned = _pinned(data, sums, min_cell)
        if pinned is None:
            return data
        if not _withhold_near(data, sums, pinned):
            return data  # every figure around it is hidden already


def _withhold_near(data: dict, sums: list[tuple[Path, list[Path]]], pinned: Path) -> bool:
    """Withhold a shown figure in a sum with ``pinned``, else in a sum with a hidden figure of those, and so on."""
    reached, seen = {pinned}, set()
    while True:
        near = [i for i, (total, parts) in enumerate(sums) if i not in seen and reached & {total, *parts}]
        if not near:
            return False
        for i in near:
            if _withhold_beside(data, *sums[i]):
                return True
        seen.update(near)
        for i in near:
            total, parts = sums[i]
            reached.update(p for p in (total, *parts) if _get(data, p) in (SUPPRESSED, WITHHELD))


def _withhold_beside(data: dict, total: Path, parts: list[Path]) -> bool:
    shown = [p for p in parts if isinstance(_get(data, p), int)]
    if shown:
        _set(data, min(shown, key=lambda p: _get(data, p)), WITHHELD)
        return True
    if isinstance(_get(data, total), int):
        _set(data, total, WITHHELD)
        return True
    return False
