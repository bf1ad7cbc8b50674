from django.urls import path

from bench.bare.views import page

urlpatterns = [path("", page)]
