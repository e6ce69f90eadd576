"""The partner and applicant API's routers; functions/api/app.py builds the resolver and includes them."""
