"""Cadence: a self-hostable AI fitness and health coach."""

__version__ = "1.0.0"  # the API's OpenAPI version and the MCP server's serverInfo.version
