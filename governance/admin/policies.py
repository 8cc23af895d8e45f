"""Admin of policies, versions, acknowledgements and the framework catalogue. Saves and workflow
actions go through the same services as pages and API, so the same moves are allowed and refused
(wrong role, the author approving, editing a non-draft) with the same reasons."""

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.template.response import TemplateResponse

from governance.choices import VersionStatus
from governance.models import Acknowledgement, Framework, Policy, PolicyVersion, Requirement
from governance.services import policies as services
from governance.specs import ACKNOWLEDGEMENT, FRAMEWORK, POLICY, POLICY_VERSION
from vpportal.core.admin import RecordAction, TrackedAdmin


@admin.register(Policy)
class PolicyAdmin(TrackedAdmin):
    spec = POLICY
    list_filter = ("category",)
    search_fields = ("code", "title")
    autocomplete_fields = ("owner", "requirements")
    readonly_fields = ("code", "next_review_date", *TrackedAdmin.readonly_fields)
    writes = services.POLICY_WRITES


def _version_move(move, description):
    """The admin action of one workflow move of the selected versions (governance.services.policies)."""
    service = getattr(services, f"policyversion_{move}")
    return RecordAction(
        name=f"{move}_versions",
        description=description,
        run=lambda version, by, **kwargs: service(version=version, by=by, **kwargs),
        done=f"{{n}} version(s): {move} done.",
        permission=None,  # reviewers approve without changing versions: the service decides
        related=("policy",),
    )


REJECT = _version_move("reject", "Reject selected versions in review (with a comment)")


class RejectActionForm(forms.Form):
    comment = forms.CharField(label="What should the author change?", widget=forms.Textarea(attrs={"rows": 4}))


@admin.register(PolicyVersion)
class PolicyVersionAdmin(TrackedAdmin):
    spec = POLICY_VERSION
    list_filter = ("status",)
    search_fields = ("policy__code", "policy__title", "change_summary")
    list_select_related = ("policy", "author", "approved_by")
    fields = ("policy", "body", "change_summary", "effective_date")
    readonly_fields = (
        "number",
        "status",
        "author",
        "approved_by",
        "approved_at",
        "review_comment",
        *TrackedAdmin.readonly_fields,
    )
    actions = ("reject_versions",)
    record_actions = (
        _version_move("submit", "Submit selected drafts for review"),
        _version_move("approve", "Approve selected versions in review"),
        _version_move("retire", "Retire selected approved versions"),
    )
    writes = services.POLICYVERSION_WRITES

    def get_fields(self, request, obj=None):
        return self.fields + (self.readonly_fields if obj else ())

    def get_readonly_fields(self, request, obj=None):
        # A version never moves to another policy.
        return (*self.readonly_fields, "policy") if obj else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        # Only drafts may be deleted (the service refuses the others too).
        if obj is not None and obj.status != VersionStatus.DRAFT:
            return False
        return super().has_delete_permission(request, obj)

    @admin.action(description=REJECT.description)
    def reject_versions(self, request, queryset):
        """Asks for the comment on a page of its own first, then rejects as the other moves do."""
        form = RejectActionForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            REJECT(self, request, queryset, comment=form.cleaned_data["comment"])
            return None
        return TemplateResponse(
            request,
            "governance/admin_reject_versions.html",
            {
                **self.admin_site.each_context(request),
                "title": "Reject policy versions",
                "versions": queryset.select_related("policy"),
                "form": form,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            },
        )


@admin.register(Acknowledgement)
class AcknowledgementAdmin(TrackedAdmin):
    spec = ACKNOWLEDGEMENT
    list_filter = ("policy_version__policy",)
    search_fields = ("person__name", "policy_version__policy__code", "policy_version__policy__title")
    list_select_related = ("person", "policy_version__policy")
    autocomplete_fields = ("person", "policy_version")
    writes = services.ACKNOWLEDGEMENT_WRITES

    def has_change_permission(self, request, obj=None):
        return False  # an acknowledgement is a fact: record a new one or delete a mistaken one


class BuiltinReadOnly:
    """The shipped catalogue is read-only (the services refuse too)."""

    def _framework(self, obj):
        return obj if isinstance(obj, Framework) else obj.framework

    def has_change_permission(self, request, obj=None):
        if obj is not None and self._framework(obj).is_builtin:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and self._framework(obj).is_builtin:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Framework)
class FrameworkAdmin(BuiltinReadOnly, TrackedAdmin):
    spec = FRAMEWORK
    list_filter = ("is_builtin",)
    search_fields = ("code", "title")
    writes = services.FRAMEWORK_WRITES


@admin.register(Requirement)
class RequirementAdmin(BuiltinReadOnly, TrackedAdmin):
    list_display = ("code", "title", "framework", "level", "parent")
    list_filter = ("framework", "level")
    search_fields = ("code", "title", "text")
    list_select_related = ("framework", "parent")
    autocomplete_fields = ("parent",)
    writes = services.REQUIREMENT_WRITES
