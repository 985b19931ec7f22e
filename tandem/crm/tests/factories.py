"""Factories shared by the CRM tests: a pipeline with stages, and a deal in it."""

import factory
from django.utils import timezone

from tandem.core.tests.factories import UserFactory
from tandem.crm.models import Deal, DealStageVisit, LostReason, Pipeline, Stage, StageRule
from tandem.parties.tests.factories import ClientFactory


class PipelineFactory(factory.django.DjangoModelFactory):
    """A pipeline; `PipelineFactory(stages=["A", "B"])` also creates those stages (probabilities 10, 20, ...)."""

    class Meta:
        model = Pipeline
        django_get_or_create = ("name",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Pipeline {n}")
    is_default = False

    @factory.post_generation
    def stages(self, create, extracted, **kwargs):
        names = ["Qualification", "Proposal", "Closing"] if extracted is None else extracted
        if not create or self.stages.exists():
            return
        for position, name in enumerate(names, start=1):
            Stage.objects.create(pipeline=self, name=name, position=position, probability=min(100, position * 10))


class StageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stage

    pipeline = factory.SubFactory(PipelineFactory, stages=[])
    name = factory.Sequence(lambda n: f"Stage {n}")
    position = factory.Sequence(lambda n: n + 1)
    probability = 10


class StageRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StageRule

    stage = factory.SubFactory(StageFactory)
    kind = StageRule.Kind.CHECKLIST
    label = factory.Sequence(lambda n: f"Check {n}")


class LostReasonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LostReason
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Reason {n}")


class DealFactory(factory.django.DjangoModelFactory):
    """An open deal in the first stage of its pipeline, with its open stage visit."""

    class Meta:
        model = Deal
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Deal {n}")
    owner = factory.SubFactory(UserFactory)
    client = factory.SubFactory(ClientFactory, owner=factory.SelfAttribute("..owner"))
    stage = factory.LazyAttribute(lambda o: o.pipeline.stages.order_by("position").first())

    class Params:
        # A deal's pipeline is its stage's: `DealFactory(pipeline=p)` picks p's first stage.
        pipeline = factory.SubFactory(PipelineFactory)
    currency = "EUR"
    stage_entered_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def visit(self, create, extracted, **kwargs):
        if create and extracted is not False:
            DealStageVisit.objects.create(deal=self, stage=self.stage, entered_at=self.stage_entered_at,
                                          left_at=self.closed_at)
