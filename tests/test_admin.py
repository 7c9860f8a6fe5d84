"""Every model has a working admin list page (with its filters) for staff."""

import pytest
from django.contrib import admin
from django.test import Client

from .factories import AdminFactory, ProgramFactory, SetLogFactory


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m._meta.label)
def test_admin_changelist_renders(db, model):
    SetLogFactory(program=ProgramFactory())
    client = Client()
    client.force_login(AdminFactory())
    url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    response = client.get(url)
    assert response.status_code == 200, url
    assert model._meta.verbose_name_plural.lower() in response.content.decode().lower()


def test_admin_needs_staff_login(db):
    assert Client().get("/admin/exercises/setlog/").status_code == 302
