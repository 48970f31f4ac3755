from django.urls import path

from . import views

app_name = "followup"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("new/", views.item_new, name="item-new"),
    path("<uuid:item>/", views.item_detail, name="item-detail"),
    path("<uuid:item>/take/", views.item_take, name="item-take"),
    path("<uuid:item>/assign/", views.item_assign, name="item-assign"),
    path("<uuid:item>/close/", views.item_close, name="item-close"),
    path("<uuid:item>/register/", views.item_register, name="item-register"),
]
