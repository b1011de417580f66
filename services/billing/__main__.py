"""python -m services.billing: serve billing alone (distributed mode)."""

from services.billing.app import create_app
from shared.runner import serve_one

serve_one("billing", create_app)
