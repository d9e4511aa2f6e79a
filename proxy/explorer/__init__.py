"""The API Explorer web page: JSON endpoints and static files."""
