"""The Strawberry GraphQL schema: types, queries, mutations and `build_schema()`."""
