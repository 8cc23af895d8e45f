"""The risk register's two 5x5 heat maps (inherent and residual), shared by the risk list and the
leadership dashboard: counts from the risks' QuerySet, each cell a link to the list it counts."""

from dataclasses import dataclass

from governance.choices import RiskLevel, level_for
from governance.filtersets.risks import RiskFilterSet


@dataclass
class HeatCell:
    likelihood: int
    impact: int
    count: int
    level: str
    level_label: str
    url: str


HEAT_MAPS = (
    ("inherent", "Inherent risk (before mitigation)", ("likelihood", "impact")),
    ("residual", "Residual risk (after mitigation)", ("residual_likelihood", "residual_impact")),
)


def _without(query, keys):
    base = query.copy()
    for key in (*keys, "page", "export"):
        base.pop(key, None)
    return base


def _filtered(base, queryset):
    """The risks of the list filtered by `base` (None when the filter is invalid)."""
    if not base:
        return queryset  # nothing to filter: spare building the FilterSet and its form
    filterset = RiskFilterSet(base, queryset=queryset)
    return filterset.qs if filterset.is_valid() else None


def heat_maps(query, queryset) -> list[dict]:
    """The two 5x5 maps of the risks matching `query`, each cell linking to the list of exactly the
    risks it counts: the same FilterSet, with the cell's likelihood and impact added.

    Each map drops its own likelihood and impact from the filter; when the query has neither map's
    keys, both maps count the same risks and come from one grouped query.
    """
    bases = {code: _without(query, keys) for code, _, keys in HEAT_MAPS}
    if bases["inherent"] == bases["residual"]:
        risks = _filtered(bases["inherent"], queryset)
        counts = risks.heat_maps() if risks is not None else {}
    else:
        counts = {}
        for code, base in bases.items():
            risks = _filtered(base, queryset)
            if risks is not None:
                counts |= risks.heat_maps(inherent=code == "inherent", residual=code == "residual")
    maps = []
    for code, title, (l_key, i_key) in HEAT_MAPS:
        base, map_counts = bases[code], counts.get(code, {})
        # The base query encoded once (a QueryDict copy is a deep copy; 50 cells a dashboard): the
        # cell's keys were dropped from it, so they follow it as a copy with them set would put them.
        prefix = f"?{base.urlencode()}&" if base else "?"
        rows = []
        for likelihood in range(5, 0, -1):
            cells = []
            for impact in range(1, 6):
                level = level_for(likelihood * impact)
                cells.append(
                    HeatCell(
                        likelihood,
                        impact,
                        map_counts.get((likelihood, impact), 0),
                        level,
                        RiskLevel(level).label,
                        f"{prefix}{l_key}={likelihood}&{i_key}={impact}",
                    )
                )
            rows.append((likelihood, cells))
        maps.append({"code": code, "title": title, "rows": rows, "total": sum(map_counts.values())})
    return maps
