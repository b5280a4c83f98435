"""What every factory shares: times in Singapore, and rows dated in the past."""

from datetime import datetime
from zoneinfo import ZoneInfo

import factory

SGT = ZoneInfo("Asia/Singapore")


def sgt(*args) -> datetime:
    """An aware time on Singapore's clock: sgt(2021, 2, 22, 10, 0)."""
    return datetime(*args, tzinfo=SGT)


class DatedFactory(factory.django.DjangoModelFactory):
    """`created_at=` dates the row: the column is auto_now_add, which ignores what is passed
    in, so the factory writes it after the insert (and onto the instance it returns)."""

    class Meta:
        abstract = True

    created_at = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        created_at = kwargs.pop("created_at", None)
        obj = super()._create(model_class, *args, **kwargs)
        if created_at is not None:
            model_class._default_manager.filter(pk=obj.pk).update(created_at=created_at)
            obj.created_at = created_at
        return obj
