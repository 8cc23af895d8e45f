from vpportal.people import admin as people_admin  # noqa: F401  (registers Person)
