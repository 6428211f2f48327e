from django.urls import path

from knowledge import views

app_name = "knowledge"

urlpatterns = [
    path("kb/", views.home, name="home"),
    path("kb/search/", views.search, name="search"),
    path("kb/suggest/", views.suggest, name="suggest"),
    path("kb/suggested/", views.suggested, name="suggested"),
    path("kb/category/<slug:slug>/", views.category, name="category"),
    path("kb/<slug:slug>/", views.article, name="article"),
    path("kb/<slug:slug>/vote/", views.vote, name="vote"),
    path("desk/kb/", views.desk_list, name="desk_list"),
    path("desk/kb/new/", views.desk_new, name="desk_new"),
    path("desk/kb/<slug:slug>/", views.desk_article, name="desk_article"),
    path("desk/kb/<slug:slug>/edit/", views.desk_edit, name="desk_edit"),
    path("desk/kb/<slug:slug>/use/<str:reference>/", views.desk_use, name="desk_use"),
]
