"""Use cases over the models: what the GraphQL resolvers and REST routes call."""
