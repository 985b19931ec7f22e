"""API authentication: personal tokens (Authorization: Bearer tdm_...) or the browser session."""

from ninja.security import HttpBearer, SessionAuth

from tandem.core import audit
from tandem.core.services import token_refusal, user_for_token


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        user = user_for_token(token)
        if user is not None:
            # A role requiring two-factor refuses tokens until the user has set it up (403 with its code).
            refusal = token_refusal(user)
            if refusal is not None:
                raise refusal
            request.user = user
            audit.set_actor_for_this_request(user)
        return user


class VerifiedSessionAuth(SessionAuth):
    """Session auth (with CSRF) for the web UI's own API calls."""


api_auth = [TokenAuth(), VerifiedSessionAuth()]
