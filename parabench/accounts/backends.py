"""Log-in by user name and password, as Django's own; the session's user comes with its practice."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class PracticeUserBackend(ModelBackend):
    def get_user(self, user_id):
        # Every practice page names the practice and its network: one query instead of three.
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related("practice__network").get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
