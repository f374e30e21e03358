from django.contrib import admin
from django.urls import include, path

from kefu.accounts import views as account_views
from kefu.core import views as core_views

api_v1 = [
    path("", include("kefu.accounts.api_urls")),
    path("", include("kefu.customers.api_urls")),
    path("", include("kefu.calendars.api_urls")),
    path("", include("kefu.contacts.api_urls")),
    path("", include("kefu.tickets.api_urls")),
    path("", include("kefu.sla.api_urls")),
    path("", include("kefu.complaints.api_urls")),
    path("", include("kefu.service_exceptions.api_urls")),
    path("", include("kefu.workforce.api_urls")),
    path("", include("kefu.callbacks.api_urls")),
    path("schema/", core_views.SchemaView.as_view(), name="api-schema"),
    path("docs/", core_views.DocsView.as_view(url_name="api-schema"), name="api-docs"),
]

urlpatterns = [
    path("", core_views.HomeView.as_view(), name="home"),
    path("login/", account_views.LoginView.as_view(), name="login"),
    path("logout/", account_views.LogoutView.as_view(), name="logout"),
    path("password/", account_views.PasswordChangeView.as_view(), name="password_change"),
    path("directory/", account_views.DirectoryView.as_view(), name="directory"),
    path("i18n/setlang/", core_views.set_language, name="set_language"),
    path("customers/", include("kefu.customers.urls")),
    path("calendars/", include("kefu.calendars.urls")),
    path("contacts/", include("kefu.contacts.urls")),
    path("tickets/", include("kefu.tickets.urls")),
    path("sla/", include("kefu.sla.urls")),
    path("complaints/", include("kefu.complaints.urls")),
    path("service-exceptions/", include("kefu.service_exceptions.urls")),
    path("workforce/", include("kefu.workforce.urls")),
    path("callbacks/", include("kefu.callbacks.urls")),
    path("api/v1/", include(api_v1)),
    path("admin/", admin.site.urls),
]
