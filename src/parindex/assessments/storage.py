"""Where evidence files live: settings.EVIDENCE_ROOT, read at each use (tests move it)."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible(path="parindex.assessments.storage.EvidenceStorage")
class EvidenceStorage(FileSystemStorage):
    @property
    def base_location(self):
        return str(settings.EVIDENCE_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):  # never served directly
        return None
