"""Governance app models: the framework catalogue, policies with versions and acknowledgements,
and the AI system inventory with its risk register and mitigations."""

from .catalogue import Framework, Requirement
from .incidents import Incident
from .policies import Acknowledgement, Policy, PolicyVersion
from .risks import AISystem, Mitigation, Risk
from .vendors import Vendor

__all__ = [
    "Framework",
    "Requirement",
    "Policy",
    "PolicyVersion",
    "Acknowledgement",
    "AISystem",
    "Risk",
    "Mitigation",
    "Incident",
    "Vendor",
]
