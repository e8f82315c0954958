"""The staff area (DOMAIN.md §11): thin views over the selectors and services."""
