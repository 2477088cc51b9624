"""The coaching chat: typed events, the LLM transport, tools, the agent and the offline coach."""
