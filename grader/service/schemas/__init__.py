"""marshmallow schemas of the JSON API: what each endpoint reads and writes, as documented."""
