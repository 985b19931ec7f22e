from tandem.crm.models import Stage
from tandem.crm.services.deals import ensure_default_pipeline
from tandem.crm.tests.factories import DealFactory


def test_admin_edits_stages_but_only_reads_deals(client, django_user_model):
    admin_user = django_user_model.objects.create_superuser("root", "root@example.com", "pw-123456789")
    pipeline = ensure_default_pipeline()
    deal = DealFactory()
    client.force_login(admin_user)

    stage = pipeline.stages.order_by("position").first()
    assert client.get(f"/admin/crm/stage/{stage.pk}/change/").status_code == 200
    response = client.post(f"/admin/crm/stage/{stage.pk}/change/", {
        "pipeline": pipeline.pk, "name": "First contact", "position": stage.position, "probability": 15,
        "rules-TOTAL_FORMS": 0, "rules-INITIAL_FORMS": 0, "rules-MIN_NUM_FORMS": 0, "rules-MAX_NUM_FORMS": 1000,
    })
    assert response.status_code == 302
    assert Stage.objects.get(pk=stage.pk).name == "First contact"

    assert client.get(f"/admin/crm/deal/{deal.pk}/change/").status_code == 200  # view only
    assert client.post(f"/admin/crm/deal/{deal.pk}/delete/", {"post": "yes"}).status_code == 403
