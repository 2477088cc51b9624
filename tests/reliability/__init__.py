"""Fault injection: database, disk, timeouts, disconnects and kill -9 of real servers."""
