"""python -m services.registry: serve registry alone (distributed mode)."""

from services.registry.app import create_app
from shared.runner import serve_one

serve_one("registry", create_app)
