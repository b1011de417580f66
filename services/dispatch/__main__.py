"""python -m services.dispatch: serve dispatch alone (distributed mode)."""

from services.dispatch.app import create_app
from shared.runner import serve_one

serve_one("dispatch", create_app)
