from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from api import docs, views

app_name = "api"

urlpatterns = [
    path("cases/", views.CaseList.as_view(), name="cases"),
    path("cases/<str:reference>/", views.CaseDetail.as_view(), name="case"),
    path("cases/<str:reference>/replies/", views.CaseReply.as_view(), name="case_replies"),
    path("cases/<str:reference>/notes/", views.CaseNote.as_view(), name="case_notes"),
    path(
        "cases/<str:reference>/attachments/<int:pk>/",
        views.CaseAttachment.as_view(),
        name="case_attachment",
    ),
    path("contacts/", views.ContactList.as_view(), name="contacts"),
    path("contacts/<int:pk>/", views.ContactDetail.as_view(), name="contact"),
    path("contacts/<int:pk>/cases/", views.ContactCases.as_view(), name="contact_cases"),
    path("articles/", views.ArticleList.as_view(), name="articles"),
    path("articles/<slug:slug>/", views.ArticleDetail.as_view(), name="article"),
    path("teams/", views.TeamList.as_view(), name="teams"),
    path("agents/", views.AgentList.as_view(), name="agents"),
    path("ratings/", views.RatingList.as_view(), name="ratings"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", docs.api_docs, name="docs"),
]
