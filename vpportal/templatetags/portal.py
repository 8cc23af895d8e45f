from django import template
from django.http import QueryDict
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from vpportal.core.display import html_text, resolve
from vpportal.core.money import money

register = template.Library()


@register.filter
def add_class(field, css):
    widget = field.field.widget
    existing = widget.attrs.get("class", "")
    if getattr(widget, "input_type", "") == "checkbox":
        css = "form-check-input"
    elif widget.__class__.__name__ in ("Select", "SelectMultiple", "NullBooleanSelect"):
        css = css.replace("form-control", "form-select")
    return field.as_widget(attrs={"class": f"{existing} {css}".strip()})


@register.simple_tag
def cell(obj, path):
    """A list cell: the value as text, a link when the value is a record with a page."""
    value = resolve(obj, path)
    url = getattr(value, "get_absolute_url", None)
    if url and hasattr(value, "pk"):
        return format_html('<a href="{}">{}</a>', url(), value)
    return html_text(value)


@register.simple_tag(takes_context=True)
def sort_url(context, key):
    """The current list URL sorted by `key`, flipping direction when already sorted by it."""
    request = context["request"]
    query = QueryDict(mutable=True)
    query.update(request.GET)
    query.pop("page", None)
    current = request.GET.get("ordering", "")
    query["ordering"] = f"-{key}" if current == key else key
    return f"?{query.urlencode()}"


@register.simple_tag(takes_context=True)
def export_url(context, fmt="csv"):
    query = context["request"].GET.copy()
    query.pop("page", None)
    query["export"] = fmt
    return f"?{query.urlencode()}"


@register.simple_tag
def url_or_none(name, *args):
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


@register.filter
def verbose(obj, field_name):
    return obj._meta.get_field(field_name).verbose_name


@register.filter(name="money")
def money_filter(amount, currency):
    """`{{ amount|money:currency }}`: "EUR 400,000" (vpportal/core/money.py)."""
    return money(amount, currency)


@register.filter
def money_short(amount, currency):
    """`{{ amount|money_short:currency }}`: "€400k", where space is short."""
    return money(amount, currency, compact=True)


@register.filter
def kpi_value(value, kpi):
    """`{{ value|kpi_value:kpi }}`: a value or measurement of `kpi` with its precision and unit
    ("15.50 %"), "—" for none (KPI.format_value)."""
    return kpi.format_value(value) or "—"


@register.filter
def bound_field(form, name):
    """`{{ form|bound_field:name }}`: the form's field of that name (for a loop over names)."""
    return form[name]
