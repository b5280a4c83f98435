"""Process phases. `PhaseFactory(start_date=..., end_date=...)` writes the row straight to the
table; `phase_fields(...)` builds what the services take."""

from datetime import date, timedelta

import factory

from process.models import Phase
from process.services import PhaseFields


class PhaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Phase

    title = factory.Sequence(lambda n: f"Phase {n}")
    title_en = factory.SelfAttribute("title")
    what_happens = "Things happen."
    what_happens_en = factory.SelfAttribute("what_happens")
    start_date = date(2027, 1, 1)
    end_date = factory.LazyAttribute(lambda phase: phase.start_date + timedelta(days=30))


def phase_fields(
    start_date, end_date, *, title="Ideas", what_happens="People put forward ideas.", **kwargs
) -> PhaseFields:
    texts = {"title": {"en": title}, "what_happens": {"en": what_happens}}
    texts.update(kwargs.pop("texts", {}))
    return PhaseFields(start_date=start_date, end_date=end_date, texts=texts, **kwargs)
