"""Webhook pages: list, detail (delivery log, rotate, test, redeliver), create (the secret shown once
on the page that answers the create), edit, delete, history."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from vpportal.core import views as generic
from vpportal.people.models import Person
from vpportal.permissions import perm_name
from vpportal.security import SIGNED_IN, access

from . import services
from .filtersets import WebhookFilterSet
from .forms import WebhookForm
from .models import EmailChoice, Notification, Webhook, WebhookDelivery
from .specs import WEBHOOK

DELIVERIES_SHOWN = 50


class WebhookViewMixin:
    model = Webhook
    spec = WEBHOOK
    url_namespace = "integrations"
    writes = services.WEBHOOK_WRITES


class WebhookListView(WebhookViewMixin, generic.TrackedListView):
    filterset_class = WebhookFilterSet


class WebhookDetailView(WebhookViewMixin, generic.TrackedDetailView):
    template_name = "integrations/webhook_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["deliveries"] = self.object.deliveries.select_related("event").order_by("-id")[:DELIVERIES_SHOWN]
        return ctx


class WebhookCreateView(WebhookViewMixin, generic.TrackedCreateView):
    form_class = WebhookForm

    def form_valid(self, form):
        from django.core.exceptions import ValidationError

        try:
            webhook, secret = services.webhook_create(by=self.request.user, data=form.service_data())
        except ValidationError as error:
            generic._add_errors(form, error)
            return self.form_invalid(form)
        return render(self.request, "integrations/webhook_secret.html", {"object": webhook, "secret": secret})


class WebhookUpdateView(WebhookViewMixin, generic.TrackedUpdateView):
    form_class = WebhookForm


class WebhookDeleteView(WebhookViewMixin, generic.TrackedDeleteView):
    pass


class WebhookHistoryView(WebhookViewMixin, generic.HistoryView):
    pass


def _webhook_for_change(request, pk):
    webhook = get_object_or_404(Webhook.objects.visible_to(request.user), pk=pk)
    if not request.user.has_perm(perm_name(Webhook, "change"), webhook):
        raise PermissionDenied
    return webhook


@access("integrations.change_webhook")
@require_POST
def webhook_rotate_secret(request, pk):
    webhook, secret = services.webhook_rotate_secret(_webhook_for_change(request, pk), by=request.user)
    return render(request, "integrations/webhook_secret.html", {"object": webhook, "secret": secret, "rotated": True})


@access("integrations.change_webhook")
@require_POST
def webhook_test(request, pk):
    webhook = _webhook_for_change(request, pk)
    services.webhook_test(webhook, by=request.user)
    messages.success(request, "A webhook.ping event is on its way.")
    return redirect(webhook)


@access("integrations.change_webhookdelivery")
@require_POST
def delivery_redeliver(request, pk):
    delivery = get_object_or_404(WebhookDelivery.objects.visible_to(request.user).select_related("webhook"), pk=pk)
    services.delivery_redeliver(delivery, by=request.user)
    messages.success(request, "The event will be delivered again.")
    return redirect(delivery.webhook)


# --- notifications: each person's own -------------------------------------------------------------
NOTIFICATIONS_SHOWN = 100


@access(SIGNED_IN)
def notification_list(request):
    person = Person.objects.of_user(request.user)
    if request.method == "POST":
        if "email" in request.POST and person is not None:
            services.set_email_preference(person, request.POST["email"])
            messages.success(request, "Your email preference is saved.")
        else:
            ids = [int(i) for i in request.POST.getlist("id") if i.isdigit()] or None
            services.mark_read(request.user, ids=ids)
        return redirect("integrations:notifications")
    notifications = Notification.objects.for_user(request.user).order_by("-id")[:NOTIFICATIONS_SHOWN]
    preference = getattr(person, "notification_preference", None) if person else None
    return render(
        request,
        "integrations/notification_list.html",
        {
            "notifications": notifications,
            "email_choices": EmailChoice.choices,
            "email_choice": preference.email if preference else EmailChoice.DIGEST,
        },
    )


@access(SIGNED_IN)
def notification_bell(request):
    """The bell's unread count, fetched by the navigation after the page loaded (static/js/portal.js), so no page
    pays a query for it."""
    count = Notification.objects.for_user(request.user).unread().count()
    return render(request, "integrations/_bell.html", {"unread": count})
