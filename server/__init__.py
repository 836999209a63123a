"""The PushNest API process: Starlette app, auth, GraphQL view, command line."""
