"""Who may do what here (loaded by IntegrationsConfig.ready): executives and governance manage webhooks and
read their delivery log; each person reads and marks their own notifications."""

import rules

from vpportal.permissions import EXECUTIVE, GOVERNANCE, has_role

MANAGERS = (EXECUTIVE, GOVERNANCE)


@rules.predicate
def may_manage_webhooks(user, record=None) -> bool:
    return has_role(user, *MANAGERS)


for _action in ("view", "add", "change", "delete"):
    rules.set_perm(f"integrations.{_action}_webhook", may_manage_webhooks)
rules.set_perm("integrations.view_webhookdelivery", may_manage_webhooks)
rules.set_perm("integrations.change_webhookdelivery", may_manage_webhooks)  # redeliver
