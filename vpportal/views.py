"""Portal-wide pages of the foundation: API tokens (home, which reads every app, is leadership's)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from vpportal.people import tokens


class TokenForm(forms.Form):
    expiry_days = forms.IntegerField(
        label="Expires after (days)",
        required=False,
        min_value=1,
        max_value=tokens.MAX_EXPIRY_DAYS,
        help_text=f"1 to {tokens.MAX_EXPIRY_DAYS} days; empty for the default ({{days}} days).",
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )


@login_required
def token_list(request):
    form = TokenForm(request.POST or None)
    form.fields["expiry_days"].help_text = form.fields["expiry_days"].help_text.format(
        days=tokens.default_expiry_days()
    )
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            _, new_key = tokens.token_create(user=request.user, expiry_days=form.cleaned_data["expiry_days"])
        except ValidationError as error:
            form.add_error("expiry_days", error.messages)
        else:
            form = TokenForm()
    return render(
        request,
        "vpportal/token_list.html",
        {"form": form, "tokens": tokens.tokens_of(request.user), "new_key": new_key},
    )


@login_required
@require_POST
def token_revoke(request, token_key):
    if tokens.token_revoke(user=request.user, token_key=token_key):
        messages.success(request, "Token revoked.")
    else:
        messages.error(request, "No such token.")
    return redirect("token_list")
