"""How people read in lists, pages and files (vpportal.core.fieldspec); files name a person by email."""

from vpportal.core.fieldspec import Column, FieldSpec, NaturalKey, Text, columns

from .models import Person

PERSON_KEY = NaturalKey(Person, "email", "email", "No person with the email {}.", case="lower", cache_name="person")

PERSON = FieldSpec(
    Person,
    Column("email", detail=True, file=Text(required=True, case="lower")),
    Column("name"),
    *columns("title", "function", "career_level", detail=True),
    Column("manager", detail=True, file=PERSON_KEY.codec()),
    Column("active", detail=True),
    Column("time_zone", detail=True),
    Column("user", "Login", detail=True, export=False, file=False),
    list=("name", "title", "function", "career_level", "manager", "active"),
)
