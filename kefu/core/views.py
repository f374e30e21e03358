from django.conf.urls.i18n import set_language as django_set_language
from django.shortcuts import render
from django.views import View
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import permissions


class HomeView(View):
    permission = "core.home:view"

    def get(self, request):
        return render(request, "core/home.html", {"permissions": permissions.user_permissions(request.user)})


def set_language(request):
    return django_set_language(request)


set_language.public = True


class SchemaView(SpectacularAPIView):
    permission = "core.api_docs:view"


class DocsView(SpectacularSwaggerView):
    permission = "core.api_docs:view"
