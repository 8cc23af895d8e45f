"""Global search across initiatives, KPIs, AI systems, risks, incidents, vendors, policies, evidence
and people.

Each kind is searched through its own QuerySet: `visible_to(user)` decides what the reader may see
and `search()` looks only in the kind's declared `search_fields`, which never include private
fields (mentorship sessions, the one model with private notes, are not searched at all). Each
group links to its list filtered by the same text, the full result.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse

from evidence.models import Evidence
from governance.models import AISystem, Incident, Policy, Risk, Vendor
from initiatives.models import KPI, Initiative
from vpportal.people.models import Person

PER_KIND = 10
MIN_LENGTH = 2

# (label, model, list URL name, select_related for the labels)
KINDS = (
    ("Initiatives", Initiative, "initiatives:initiative_list", ()),
    ("KPIs", KPI, "initiatives:kpi_list", ("initiative",)),
    ("AI systems", AISystem, "governance:aisystem_list", ()),
    ("Risks", Risk, "governance:risk_list", ()),
    ("Incidents", Incident, "governance:incident_list", ()),
    ("Vendors", Vendor, "governance:vendor_list", ()),
    ("Policies", Policy, "governance:policy_list", ()),
    # Evidence a reader sees follows the records it is attached to (its own visible_to); found by
    # title, description, original file name or SHA-256 (an auditor holding a file finds its record).
    ("Evidence", Evidence, "evidence:evidence_list", ()),
    ("People", Person, "people:person_list", ()),
)


@dataclass
class Group:
    label: str
    results: list
    more: bool
    url: str


def search(user, text: str) -> list[Group]:
    """Up to PER_KIND matches per kind (one query each), only kinds with matches."""
    text = (text or "").strip()
    if len(text) < MIN_LENGTH:
        return []
    groups = []
    for label, model, list_name, related in KINDS:
        if not user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}"):
            continue
        found = list(
            model.objects.visible_to(user).search(text).select_related(*related).order_by("pk")[: PER_KIND + 1]
        )
        if found:
            url = f"{reverse(list_name)}?{urlencode({'q': text})}"
            groups.append(Group(label, found[:PER_KIND], len(found) > PER_KIND, url))
    return groups
