from django.contrib import admin

from vpportal.people import admin as people_admin  # noqa: F401  (registers Person)

admin.site.site_header = "VP Portal administration"
admin.site.site_title = "VP Portal admin"
