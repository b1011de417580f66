"""python -m services.deliberation: serve deliberation alone (distributed mode)."""

from services.deliberation.app import create_app
from shared.runner import serve_one

serve_one("deliberation", create_app)
