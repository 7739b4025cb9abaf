"""Composition root: the only package that knows every context."""

from blog_project.celery import app as celery_app

__all__ = ("celery_app",)
