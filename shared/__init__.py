"""Linli's shared plumbing: settings, database, events, auth, errors, money, observability.

Every service uses these pieces alike; nothing here imports a service.
"""
