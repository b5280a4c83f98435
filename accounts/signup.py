"""The sign-up form allauth uses (ACCOUNT_FORMS["signup"]): allauth's own, with the details
of accounts.forms.SignupDetailsForm, and one race closed."""

from allauth.account.forms import SignupForm as AllauthSignupForm
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from .models import User


class SignupForm(AllauthSignupForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Each error says what to do (GOV.UK), in the error summary and beside the field.
        for name, message in {
            "email": _("Enter your email address."),
            "password1": _("Enter a password."),
            "password2": _("Enter the password again."),
        }.items():
            if name in self.fields:
                self.fields[name].error_messages["required"] = message

    def try_save(self, request):
        """allauth checks that the email is free, then inserts the account: two sign-ups with
        one new email at the same moment both pass the check, and the second insert breaks
        accounts_user_email_key. The one that loses is answered as a repeat sign-up is (with
        ACCOUNT_PREVENT_ENUMERATION): the "verification sent" page, and allauth's "account
        already exists" email to the address (within allauth's rate limit on emails to one
        address). Its half-made account is rolled back with the savepoint, emails queued on
        commit included."""
        try:
            with transaction.atomic():
                return super().try_save(request)
        except IntegrityError:
            email = self.cleaned_data.get("email") or ""
            if not User.objects.filter(email__iexact=email).exists():
                raise
            self.account_already_exists = True
            return super().try_save(request)
