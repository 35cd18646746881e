from django.urls import path

from .views import accounts, home, selftest

app_name = "family"

urlpatterns = [
    path("sign-in/", accounts.sign_in, name="sign_in"),
    path("sign-in/code/", accounts.verify, name="verify"),
    path("sign-in/start/", accounts.start, name="start"),
    path("sign-out/", accounts.sign_out, name="sign_out"),
    path("", home.home, name="home"),
    path("self-test/", selftest.self_test, name="self_test"),
]
