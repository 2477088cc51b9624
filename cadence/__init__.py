"""Cadence: a self-hostable AI fitness and health coach."""
