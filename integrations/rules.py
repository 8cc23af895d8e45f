"""Who may do what here (loaded by IntegrationsConfig.ready): executives and governance manage webhooks and
read their delivery log; each person reads and marks their own notifications."""

import rules

from vpportal.permissions import EXECUTIVE, GOVERNANCE, ROLES, has_role

MANAGERS = (EXECUTIVE, GOVERNANCE)
ALL_ROLES = tuple(ROLES)


@rules.predicate
def may_manage_webhooks(user, record=None) -> bool:
    return has_role(user, *MANAGERS)


for _action in ("view", "add", "change", "delete"):
    rules.set_perm(f"integrations.{_action}_webhook", may_manage_webhooks)
rules.set_perm("integrations.view_webhookdelivery", may_manage_webhooks)
rules.set_perm("integrations.change_webhookdelivery", may_manage_webhooks)  # redeliver

# Model sources: managed by the same roles as webhooks; every role reads the model versions, which
# the sync writes (approving and rejecting them is `governance.accept_risk`, integrations/registry.py).
for _action in ("view", "add", "change", "delete"):
    rules.set_perm(f"integrations.{_action}_modelsource", may_manage_webhooks)
rules.set_perm("integrations.view_aisystemversion", rules.predicate(lambda user: has_role(user, *ALL_ROLES)))
for _action in ("add", "change", "delete"):
    rules.set_perm(f"integrations.{_action}_aisystemversion", rules.always_deny)
