"""The read API (Django REST Framework): households and their payments, scoped like every page."""
