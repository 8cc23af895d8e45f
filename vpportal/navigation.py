"""The navigation bar: every area of the product. An entry whose page is not built yet (its URL
name does not resolve) is hidden, so apps add pages without touching this list. An entry is
(label, URL name) or (label, URL name, permission): one with a permission shows only to users who
hold it, so nobody is led to a 403."""

from django.urls import NoReverseMatch, reverse

from vpportal.permissions import has_any_role

NAVIGATION = [
    (
        "Portfolio",
        [
            ("Dashboard", "dashboard"),
            ("Initiatives", "initiatives:initiative_list"),
            ("Board", "initiatives:initiative_board"),
            ("KPIs", "initiatives:kpi_list"),
            ("What's due", "due"),
            ("Executive report", "report"),
            ("Import", "import_data", "vpportal.import_data"),
        ],
    ),
    (
        "Governance",
        [
            ("AI systems", "governance:aisystem_list"),
            ("Risk register", "governance:risk_list"),
            ("Mitigations", "governance:mitigation_list"),
            ("Incidents", "governance:incident_list"),
            ("Vendors", "governance:vendor_list"),
            ("Policies", "governance:policy_list"),
            ("Frameworks", "governance:framework_list"),
            ("Model versions", "integrations:aisystemversion_list"),
            ("Model sources", "integrations:modelsource_list", "integrations.view_modelsource"),
            ("Webhooks", "integrations:webhook_list", "integrations.view_webhook"),
        ],
    ),
    (
        "Team",
        [
            ("People", "people:person_list"),
            ("Mentorships", "initiatives:mentorship_list"),
            ("Trainings", "initiatives:training_list"),
        ],
    ),
]


def _url(name):
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def menu_for(user):
    if not has_any_role(user):
        return []
    menu = []
    for group, entries in NAVIGATION:
        links = [
            (label, url)
            for label, name, *perm in entries
            if (not perm or user.has_perm(perm[0])) and (url := _url(name))
        ]
        if links:
            menu.append((group, links))
    return menu
