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


@transaction.atomic
def import_standard_tables(accounts, *, file, by) -> list:
    """Replace the accounts' incomes, expenditures, economic items and 三公 from a workbook.

    Returns the row errors; when there is any, nothing is saved."""
    from xinfang.finance.importer import read_tables
    from xinfang.finance.models import EconomicItem, Expenditure, Income, ThreePublic
    from xinfang.finance.queries import classification_names

    parsed = read_tables(file, official=classification_names(accounts.year))
    if parsed.errors:
        return parsed.errors
    accounts.incomes.all().delete()
    Income.objects.bulk_create(
        Income(accounts=accounts, source=s, amount=a) for s, a in parsed.incomes.items()
    )
    accounts.expenditures.all().delete()
    Expenditure.objects.bulk_create(
        Expenditure(accounts=accounts, code=c, budget=b, basic=ba, project=p)
        for c, b, ba, p in parsed.expenditures
    )
    accounts.economic_items.all().delete()
    EconomicItem.objects.bulk_create(
        EconomicItem(accounts=accounts, code=c, name=n, amount=a) for c, n, a in parsed.economic
    )
    for item, (budget, actual) in parsed.three_public.items():
        ThreePublic.objects.update_or_create(
            accounts=accounts, item=item, defaults={"budget": budget, "actual": actual}
        )
    return []


@transaction.atomic
def save_accounts_form(form, *, by):
    """Save the finance officer's edit of the scalar facts (form.is_valid() already checked)."""
    return form.save()


@transaction.atomic
def save_detail_formset(formset, *, by):
    return formset.save()
