from django.urls import path

from . import views_plan

urlpatterns = [
    path("w/<slug:slug>/plan/", views_plan.plan, name="plan"),
    path("w/<slug:slug>/plan.pdf", views_plan.plan_pdf, name="plan-pdf"),
]
