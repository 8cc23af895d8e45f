"""Demo data for vendors and incidents (`make run`), after governance.demo_risks (leadership/demo.py):
a vendor under review, an approved one behind the support assistant, a serious incident near its
Article 73 deadline, and a closed one with its lessons. Everything goes through the services."""

from datetime import timedelta

from django.utils import timezone

from governance.services.incidents import incident_create, incident_report, incident_transition, incident_update
from governance.services.risks import aisystem_update
from governance.services.vendors import vendor_create


def create(ctx):
    users, people = ctx["users"], ctx["people"]
    leader, governance = users["director"], users["governance"]
    owner = people.get("governance")
    today, now = timezone.localdate(), timezone.now()
    systems = {system.name: system for system in ctx.get("ai_systems", [])}

    approved = vendor_create(
        by=leader,
        data={
            "name": "Northwind AI Cloud",
            "kind": "model_provider",
            "website": "https://northwind-ai.example.com",
            "contact_email": "trust@northwind-ai.example.com",
            "status": "approved",
            "dpa_signed": True,
            "data_locations": ["IE", "DE"],
            "contract_end_date": today + timedelta(days=60),
            "next_review_date": today + timedelta(days=120),
            "owner": people.get("director"),
            "notes": "Hosts the LLM behind the customer support assistant; EU data residency.",
        },
    )
    vendor_create(
        by=governance,
        data={
            "name": "Tabula Data Partners",
            "kind": "data_provider",
            "website": "https://tabula-data.example.com",
            "status": "proposed",
            "dpa_signed": False,
            "data_locations": ["US"],
            "next_review_date": today + timedelta(days=5),
            "owner": owner,
            "notes": "Under review: enrichment data for the credit model; no DPA yet.",
        },
    )
    assistant = systems.get("Customer support assistant")
    if assistant is not None:
        aisystem_update(assistant, by=leader, data={"vendor": approved})

    credit = systems.get("Credit scoring classifier")
    serious = incident_create(
        by=users["scientist"],
        data={
            "title": "Credit scores withheld for a whole region after a data feed outage",
            "description": "A bureau feed failed silently; applicants from one region were scored without "
            "history and refused in bulk for two days.",
            "category": "robustness",
            "severity": "critical",
            "occurred_at": now - timedelta(days=13, hours=6),
            "detected_at": now - timedelta(days=13, hours=2),
            "serious": True,
            "serious_kind": "other_serious",
            "owner": owner,
            "initiative": credit.initiative if credit is not None else None,
            "ai_systems": [credit] if credit is not None else [],
        },
    )
    incident_transition(incident=serious, by=governance, status="investigating")

    minor = incident_create(
        by=leader,
        data={
            "title": "Assistant cited a withdrawn returns policy",
            "description": "Drafts quoted the 2023 returns window; agents caught most before sending.",
            "category": "hallucination_accuracy",
            "severity": "medium",
            "occurred_at": now - timedelta(days=30),
            "detected_at": now - timedelta(days=29),
            "owner": people.get("director"),
            "ai_systems": [assistant] if assistant is not None else [],
        },
    )
    minor = incident_transition(incident=minor, by=leader, status="investigating")
    minor = incident_transition(incident=minor, by=leader, status="mitigated")
    minor = incident_update(
        minor,
        by=leader,
        data={
            "root_cause": "The knowledge base kept the withdrawn article published.",
            "lessons_learned": "Withdrawn articles are unpublished the day the policy changes; retrieval filters on validity.",
        },
    )
    incident_transition(incident=minor, by=leader, status="closed")

    reported = incident_create(
        by=leader,
        data={
            "title": "Personal data exposed in assistant drafts",
            "description": "Drafts included another customer's order details for a few hours.",
            "category": "privacy",
            "severity": "high",
            "occurred_at": now - timedelta(days=6),
            "detected_at": now - timedelta(days=5, hours=20),
            "serious": True,
            "serious_kind": "widespread_infringement",
            "owner": owner,
            "ai_systems": [assistant] if assistant is not None else [],
        },
    )
    incident_report(
        incident=reported,
        by=governance,
        reported_at=now - timedelta(days=4),
        authority_reference="MSA-2026-0417",
    )
    ctx.update(incidents=[serious, minor, reported])
