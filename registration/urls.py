from django.urls import path

from . import views

app_name = "registration"

urlpatterns = [
    path("", views.contact_list, name="contact-list"),
    path("new/", views.contact_new, name="contact-new"),
    path("session/", views.session_status, name="session-status"),
    path("drafts/", views.draft_list, name="draft-list"),
    path("drafts/<uuid:token>/", views.draft_resume, name="draft-resume"),
    path("drafts/<uuid:token>/autosave/", views.draft_autosave, name="draft-autosave"),
    path("drafts/<uuid:token>/discard/", views.draft_discard, name="draft-discard"),
    path("<uuid:uuid>/", views.contact_detail, name="contact-detail"),
    path("<uuid:uuid>/edit/", views.contact_edit, name="contact-edit"),
    path("<uuid:uuid>/delete/", views.contact_delete, name="contact-delete"),
]
