"""Template context shared by every page: the current workspace and the switcher."""

from .models import Workspace


def workspace_context(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    access = getattr(request, "access", None)
    return {
        "access": access,
        "workspace": access.workspace if access else None,
        # Lazy: only pages that render the switcher pay for the query.
        "my_workspaces": lambda: Workspace.objects.filter(memberships__user=user).order_by("name"),
    }
