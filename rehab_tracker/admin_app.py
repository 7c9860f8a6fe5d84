"""Django's admin with this project's site (``admin_site.StaffAdminSite``): its sign-in asks for the second factor."""

from django.contrib.admin.apps import AdminConfig


class StaffAdminConfig(AdminConfig):
    default_site = "rehab_tracker.admin_site.StaffAdminSite"
