"""Events dispatch consumes."""

from __future__ import annotations

from services.dispatch.models import compound_projection
from shared.events.consumer import EventHandlers
from shared.projections import project_compounds

handlers = EventHandlers()
project_compounds(handlers, compound_projection)
