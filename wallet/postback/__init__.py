"""The affiliate postback: the API a network calls when it records or updates a sale
(api.py), mounted under /api/v1/affiliate/postback/ (api_urls.py)."""
