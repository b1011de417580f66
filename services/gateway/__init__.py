"""Gateway: the one public entry; routes /api/v1/<area>/… to the service that owns the area."""
