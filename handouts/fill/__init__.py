"""Fill: the Jinja2 sandbox and the handout with every template filled in."""
