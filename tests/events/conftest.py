from tests.team.conftest import mentor, mentorship, other_contributor, person_of, readers  # noqa: F401
