"""python -m services.gateway: serve the gateway alone (distributed mode)."""

from services.gateway.app import create_app
from shared.runner import serve_one

serve_one("gateway", lambda settings: create_app(settings), migrate=False)
