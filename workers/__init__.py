"""Celery: the worker and beat processes, built from the service's settings."""
