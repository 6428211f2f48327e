from django.urls import path

from agents import accounts

app_name = "account"

urlpatterns = [
    path("accounts/two-factor/", accounts.second_step, name="two_factor"),
    path("accounts/two-factor/setup/", accounts.two_factor_setup, name="two_factor_setup"),
    path("accounts/two-factor/codes/", accounts.recovery_codes, name="recovery_codes"),
    path("desk/account/", accounts.account, name="page"),
    path("desk/account/languages/", accounts.languages, name="languages"),
    path("desk/account/language/", accounts.desk_language, name="desk_language"),
    path("desk/account/codes/", accounts.recovery_codes_new, name="recovery_codes_new"),
    path("desk/account/two-factor/off/", accounts.two_factor_off, name="two_factor_off"),
    path("desk/account/log-out-everywhere/", accounts.log_out_everywhere, name="log_out_all"),
]
