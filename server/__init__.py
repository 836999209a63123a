"""The API process: Starlette app, GraphQL over HTTP and WebSocket, health, the `pushnest` command."""
