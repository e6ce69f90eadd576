"""Typed models: what the API takes and gives, what each state passes on, what the table holds."""
