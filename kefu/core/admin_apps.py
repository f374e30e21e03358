from django.contrib.admin.apps import AdminConfig


class KefuAdminConfig(AdminConfig):
    default_site = "kefu.core.admin_site.KefuAdminSite"
