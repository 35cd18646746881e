from django.urls import path

from .views import accounts, apply, channel, home, selftest, workstudy

app_name = "family"

urlpatterns = [
    path("self-test/", selftest.self_test_page, name="self_test"),
    path("sign-in/", accounts.sign_in, name="sign_in"),
    path("sign-in/code/", accounts.verify, name="verify"),
    path("sign-in/start/", accounts.start, name="start"),
    path("sign-out/", accounts.sign_out, name="sign_out"),
    path("", home.home, name="home"),
    path("apply/", apply.apply, name="apply"),
    path("apply/correct/", apply.correct, name="correct"),
    path("my-file/", home.my_file, name="my_file"),
    path("messages/", channel.notices, name="notices"),
    path("messages/read/", channel.notices_read, name="notices_read"),
    path("appeals/", channel.tickets, name="tickets"),
    path("appeals/new/", channel.ticket_new, name="ticket_new"),
    path("appeals/<int:ticket_id>/", channel.ticket_detail, name="ticket_detail"),
    path("workstudy/", workstudy.workstudy, name="workstudy"),
    path("workstudy/<int:season_id>/sign-up/", workstudy.workstudy_sign_up, name="workstudy_sign_up"),
    path("workstudy/placements/<int:placement_id>/accept/", workstudy.workstudy_accept, name="workstudy_accept"),
]
