"""Page URLs without resolving the URL configuration on every call.

`reverse()` walks the resolver's tables, the active language and the script prefix each time: about
15 us, once per row of every list that links its rows (and twenty times per dashboard). The URL of a
record page only differs by the record's id, so `record_url()` reverses each name once per URL
configuration, script prefix and language with a marker id, and splices the id into what surrounds
the marker afterwards.
"""

import functools

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

# Stands for the id while reversing; it must appear exactly once in the URL (checked; otherwise each
# call reverses), and an id equal to it is spliced in like any other.
_MARKER = 9_087_654_321


@functools.lru_cache(maxsize=256)
def _around_the_id(name: str, prefix: str, urlconf, language) -> tuple[str, str] | None:
    url = reverse(name, args=[_MARKER], urlconf=urlconf)
    before, marker, after = url.partition(str(_MARKER))
    if not marker or str(_MARKER) in after:
        return None
    return before, after


def current_urlconf():
    """The URL configuration reversing uses now, as a key for what is kept per configuration: the
    request's, else (outside a request) the settings' one, which tests may override."""
    return get_urlconf() or settings.ROOT_URLCONF


@functools.lru_cache(maxsize=256)
def _reversed(name: str, prefix: str, urlconf, language) -> str:
    return reverse(name, urlconf=urlconf)


def page_url(name: str) -> str:
    """`reverse(name)` of a URL without arguments (a list page), kept per name, script prefix, URL
    configuration and language."""
    return _reversed(name, get_script_prefix(), current_urlconf(), get_language())


def record_url(name: str, pk) -> str:
    """`reverse(name, args=[pk])` for a URL whose one argument is a record's integer id."""
    around = _around_the_id(name, get_script_prefix(), current_urlconf(), get_language())
    if around is None or not isinstance(pk, int):
        return reverse(name, args=[pk])
    before, after = around
    return f"{before}{pk}{after}"
