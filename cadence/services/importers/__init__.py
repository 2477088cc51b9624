"""File importers (FIT, GPX, TCX, Apple Health, Strong/Hevy CSV) behind one interface (``base``)."""
