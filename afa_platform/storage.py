"""The private file store (STORAGES["private"]): export files and personal-data archives.

Nothing in it has a public URL; files leave it only through views that check who asks.
By default it is PrivateFileSystemStorage under PRIVATE_ROOT (files 0600, folders 0700);
PRIVATE_STORAGE=s3 makes it django-storages' S3 backend (any S3-compatible store) without a
code change. Each user of the store keeps to its own prefix ("exports/", "archives/").
"""

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.signals import setting_changed
from django.utils.functional import cached_property


class PrivateFileSystemStorage(FileSystemStorage):
    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("file_permissions_mode", 0o600)
        kwargs.setdefault("directory_permissions_mode", 0o700)
        super().__init__(**kwargs)
        setting_changed.connect(self._private_root_changed)

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_ROOT)

    def _private_root_changed(self, setting, **kwargs) -> None:
        if setting == "PRIVATE_ROOT":
            for name in ("base_location", "location"):
                self.__dict__.pop(name, None)
