"""The name the navigation greets the signed-in user by: their Person's name, read once at sign-in
into the session (as their time zone, vpportal/localisation.py), so a page costs no query for it;
saving one's own Person record refreshes it. A user with no person is shown by their login."""

from vpportal.core import sessions

SESSION_KEY = "vp_person_name"


def remember(request, name: str) -> None:
    sessions.keep(request, SESSION_KEY, name)


def shown_name(request, user) -> str:
    session = getattr(request, "session", None)
    return (session.get(SESSION_KEY) if session is not None else None) or user.get_username()
