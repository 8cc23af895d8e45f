"""Withdrawing a user's access withdraws their API tokens, whichever channel did it (admin, pages,
SSO role sync, `manage.py changepassword`, a script): deactivation, a new password, a role removed.
A token is a standing credential; it must not outlive the access it was issued under."""

from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_save, pre_save

from vpportal import localisation

from . import session_name, tokens

WATCHED = {"password", "is_active"}


def _remember_previous(sender, instance, update_fields=None, **kwargs):
    instance._vp_previous_access = None
    if instance.pk is None or (update_fields is not None and not WATCHED & set(update_fields)):
        return  # a new user, or a save of other fields only (e.g. `last_login` on every sign-in)
    previous = sender._default_manager.filter(pk=instance.pk).values("password", "is_active").first()
    instance._vp_previous_access = previous


def _revoke_on_withdrawal(sender, instance, created, **kwargs):
    previous = getattr(instance, "_vp_previous_access", None)
    instance._vp_previous_access = None
    if created or previous is None:
        return
    if not instance.is_active or previous["password"] != instance.password:
        tokens.revoke_all(instance)


def _revoke_on_role_removal(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_remove", "post_clear"):
        return
    User = get_user_model()
    if isinstance(instance, User):
        tokens.revoke_all(instance)
    elif pk_set:  # a group losing members (group.user_set.remove(...))
        for user in User.objects.filter(pk__in=pk_set):
            tokens.revoke_all(user)


def connect():
    User = get_user_model()
    pre_save.connect(_remember_previous, sender=User, dispatch_uid="vp_tokens_previous_access")
    post_save.connect(_revoke_on_withdrawal, sender=User, dispatch_uid="vp_tokens_withdrawal")
    m2m_changed.connect(_revoke_on_role_removal, sender=User.groups.through, dispatch_uid="vp_tokens_role_removal")


def remember_time_zone_on_sign_in(sender, request, user, **kwargs):
    """The signed-in person's time zone (vpportal/localisation.py) and name (the navigation's,
    session_name.py) into the session, one query."""
    from .models import Person

    zone, name = Person.objects.filter(user=user).values_list("time_zone", "name").first() or ("", "")
    localisation.remember(request, zone or "")
    session_name.remember(request, name or "")
