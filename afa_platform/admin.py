from functools import wraps

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.permissions import needs_mfa, redirect_to_mfa_setup


class AdminSite(admin.AdminSite):
    site_header = _("AfA Platform administration")
    site_title = _("AfA Platform admin")
    index_title = _("Roles, taxonomy and support resources")

    def admin_view(self, view, cacheable=False):
        """Every admin page needs two-factor sign-in: administrators see everyone's data."""
        inner = super().admin_view(view, cacheable)

        @wraps(inner)
        def wrapper(request, *args, **kwargs):
            if request.user.is_active and request.user.is_staff and needs_mfa(request.user):
                return redirect_to_mfa_setup(request)
            return inner(request, *args, **kwargs)

        return wrapper


class ReadOnlyModelAdmin(admin.ModelAdmin):
    """For records a service owns (moderation, audit, exports): the admin only looks."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
