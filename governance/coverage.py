"""Framework coverage: how much of a framework our approved policies and done mitigations address.

Definition (one place): a requirement is *covered* when at least one policy with an approved
version addresses it, or at least one mitigation in status `implemented` or `verified` satisfies
it. Coverage counts *leaf* requirements only (NIST subcategories, EU AI Act articles, the
requirements of a flat custom framework): a function's or category's coverage is the share of the
leaves beneath it, so mapping a policy to a whole category does not claim all of its subcategories.

Computed in a bounded number of queries whatever the size of the framework: one for the
requirements with their covered flag, one for the approved policies and one for the mitigations
that address them.
"""

from dataclasses import dataclass, field

from django.db.models import Prefetch

from .models import Mitigation, Policy, Requirement
from .querysets import APPROVED, DONE_MITIGATION_STATUSES, share_percent


@dataclass
class Node:
    requirement: Requirement
    children: list["Node"] = field(default_factory=list)
    total: int = 0
    covered: int = 0

    @property
    def percent(self) -> int | None:
        return share_percent(self.covered, self.total)

    @property
    def is_leaf(self) -> bool:
        # RequirementQuerySet.with_coverage()'s flag: the same definition the framework list counts.
        return self.requirement.is_leaf


@dataclass
class Coverage:
    framework: object
    roots: list[Node]
    total: int
    covered: int
    uncovered: list[Requirement]

    @property
    def percent(self) -> int | None:
        return share_percent(self.covered, self.total)

    @property
    def groups(self) -> list[Node]:
        """Rows of the "by function and category" table: every node that has children."""
        rows = []

        def walk(nodes):
            for node in nodes:
                if node.children:
                    rows.append(node)
                    walk(node.children)

        walk(self.roots)
        return rows


def framework_coverage(framework) -> Coverage:
    requirements = list(
        Requirement.objects.filter(framework=framework)
        .with_coverage()
        .order_by("position", "code")
        .prefetch_related(
            Prefetch(
                "policies",
                queryset=Policy.objects.filter(versions__status=APPROVED).distinct().order_by("code"),
                to_attr="approved_policies",
            ),
            Prefetch(
                "mitigations",
                queryset=Mitigation.objects.filter(status__in=DONE_MITIGATION_STATUSES).select_related("risk"),
                to_attr="done_mitigations",
            ),
        )
    )
    nodes = {r.pk: Node(r) for r in requirements}
    roots = []
    for requirement in requirements:
        parent = nodes.get(requirement.parent_id)
        (parent.children if parent else roots).append(nodes[requirement.pk])

    def tally(node: Node) -> tuple[int, int]:
        if node.is_leaf:
            node.total, node.covered = 1, int(node.requirement.is_covered)
        else:
            sums = [tally(child) for child in node.children]
            node.total, node.covered = sum(s[0] for s in sums), sum(s[1] for s in sums)
        return node.total, node.covered

    totals = [tally(root) for root in roots]
    uncovered = [n.requirement for n in nodes.values() if n.is_leaf and not n.requirement.is_covered]
    return Coverage(
        framework=framework,
        roots=roots,
        total=sum(t for t, _ in totals),
        covered=sum(c for _, c in totals),
        uncovered=uncovered,
    )
