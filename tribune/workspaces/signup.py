"""Sign-up, offered only to someone holding a valid invitation."""

from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import get_language

from .models import User


class SignupForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "first_name", "last_name", "email")

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        user.language = (get_language() or "fr")[:2]
        if commit:
            user.save()
        return user
