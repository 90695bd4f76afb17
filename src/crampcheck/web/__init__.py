"""The web app: server-rendered pages (Jinja2) that work without JavaScript; htmx only enhances them."""
