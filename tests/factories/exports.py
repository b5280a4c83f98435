import factory

from accounts.roles import Role
from exports.models import ExportJob

from .accounts import UserFactory


class ExportJobFactory(factory.django.DjangoModelFactory):
    """A queued feedback export to Excel, asked for by a staff member."""

    class Meta:
        model = ExportJob

    requested_by = factory.SubFactory(UserFactory, roles=[Role.STAFF], mfa=True)
    dataset = "feedback"
    file_format = "xlsx"
