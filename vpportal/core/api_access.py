"""API permission and pagination classes, kept apart from the rest of the API base because DRF
imports its default classes while `rest_framework.views` itself is being imported."""

from rest_framework import permissions
from rest_framework.pagination import LimitOffsetPagination

from vpportal.permissions import perm_name


class Pagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = 1000


class RolePermission(permissions.BasePermission):
    """Model permissions from vpportal.permissions: view for reads, add/change/delete for writes.

    Custom actions need only `view` here: their service checks the action's own permission and
    raises PermissionDenied (403) itself, so the rule lives in one place.
    """

    method_actions = {"POST": "add", "PUT": "change", "PATCH": "change", "DELETE": "delete"}

    def _model(self, view):
        queryset = getattr(view, "queryset", None)
        return getattr(view, "permission_model", None) or (queryset.model if queryset is not None else None)

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        model = self._model(view)
        if model is None:
            return True
        if not request.user.has_perm(perm_name(model, "view")):
            return False
        if getattr(view, "action", None) in getattr(view, "service_actions", ()):
            return True
        action = self.method_actions.get(request.method)
        if action == "add":
            return request.user.has_perm(perm_name(model, "add"))
        if action in ("change", "delete"):
            # Object rules may still allow the record; decided in has_object_permission.
            return True
        return True

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        if getattr(view, "action", None) in getattr(view, "service_actions", ()):
            return True
        action = self.method_actions.get(request.method)
        return request.user.has_perm(perm_name(type(obj), action), obj)
