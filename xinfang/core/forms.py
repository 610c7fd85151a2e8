"""Form pieces shared by the staff and the citizen pages."""

from django import forms
from django.core.exceptions import ValidationError


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field; at most `max_files`, each at most `max_bytes` (checked before reading them:
    the content is checked again by the service)."""

    widget = MultipleFileInput

    def __init__(self, *args, max_files: int | None = None, max_bytes: int | None = None, **kwargs):
        self.max_files, self.max_bytes = max_files, max_bytes
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if self.max_files is not None and len(files) > self.max_files:
            raise ValidationError(f"附件最多{self.max_files}个。")
        for f in files:
            if self.max_bytes is not None and f.size > self.max_bytes:
                raise ValidationError(f"“{f.name}”超过{self.max_bytes // (1024 * 1024)}MB。")
        return [super(MultipleFileField, self).clean(f, initial) for f in files]
