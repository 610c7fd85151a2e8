"""Writers of the finance domain."""

from django.db import transaction

from xinfang.finance.classification import official_names
from xinfang.finance.models import FunctionalClass


@transaction.atomic
def ensure_classification(*, year: int) -> int:
    """Load the shipped official 功能分类 list for `year` into the database (missing codes only)."""
    existing = set(FunctionalClass.objects.filter(year=year).values_list("code", flat=True))
    new = [
        FunctionalClass(year=year, code=code, name=name)
        for code, name in official_names(year).items()
        if code not in existing
    ]
    FunctionalClass.objects.bulk_create(new)
    return len(new)
