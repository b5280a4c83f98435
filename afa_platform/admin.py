from functools import wraps

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.permissions import second_factor_response


class AdminSite(admin.AdminSite):
    site_header = _("AfA Platform administration")
    site_title = _("AfA Platform admin")
    index_title = _("Roles, taxonomy and support resources")

    def admin_view(self, view, cacheable=False):
        """Every admin page needs two-factor sign-in in this session: administrators see
        everyone's data."""
        inner = super().admin_view(view, cacheable)

        @wraps(inner)
        def wrapper(request, *args, **kwargs):
            if request.user.is_active and request.user.is_staff:
                detour = second_factor_response(request)
                if detour is not None:
                    return detour
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
