"""The API for agency systems (``/api/v1/``), its Open311 subset, tokens and signed webhooks."""
